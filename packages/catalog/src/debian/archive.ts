// The I/O shell around the Debian archive: fetches InRelease (checked with gpgv against
// debian-archive-keyring), the Packages indexes (checked against InRelease's SHA256 list) and
// .deb files (checked against the index), caching .debs content-addressed by sha256.

import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DebianError } from '../errors';
import { parsePackagesIndex, parseReleaseHashes, pickNewest, type DebPackage } from './packagesIndex';

export interface Suite {
  archive: string;
  suite: string;
  component?: string;
}

export const BOOKWORM_SUITES: Suite[] = [
  { archive: 'http://deb.debian.org/debian', suite: 'bookworm' },
  { archive: 'http://deb.debian.org/debian', suite: 'bookworm-updates' },
  { archive: 'http://deb.debian.org/debian-security', suite: 'bookworm-security' },
];

export const DEFAULT_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

export interface ArchiveOptions {
  cacheDir: string;
  suites?: Suite[];
  arch?: string;
  keyring?: string;
  /** Re-fetch indexes older than this (default 24 h); 0 always re-fetches. */
  indexMaxAgeMs?: number;
  onProgress?: (message: string) => void;
  fetchImpl?: typeof fetch;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function run(cmd: string, args: string[], input?: Buffer): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', (e) => reject(new DebianError(`cannot run ${cmd}: ${e.message}; install it (apt-get install ${cmd === 'xz' ? 'xz-utils' : cmd})`, { cause: e })));
    p.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: err }));
    p.stdin.on('error', () => {});
    p.stdin.end(input);
  });
}

async function download(url: string, fetchImpl: typeof fetch): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetchImpl(url);
  } catch (e) {
    throw new DebianError(`cannot reach ${url}: ${(e as Error).message}; check the network path to deb.debian.org`, { cause: e });
  }
  if (!res.ok) throw new DebianError(`GET ${url} answered HTTP ${res.status}; the archive may have moved on, re-run to refresh the indexes`);
  return Buffer.from(await res.arrayBuffer());
}

/** Verifies an InRelease file with gpgv and returns the signed text. */
export async function verifyInRelease(data: Buffer, keyring: string): Promise<string> {
  if (!existsSync(keyring)) throw new DebianError(`keyring ${keyring} not found; apt-get install debian-archive-keyring`);
  const r = await run('gpgv', ['--keyring', keyring, '--output', '-', '-'], data);
  if (r.code !== 0) throw new DebianError(`InRelease signature did not verify (gpgv: ${r.stderr.trim().split('\n').pop()}); refusing an unsigned index`);
  return r.stdout.toString('utf8');
}

/** A handle on the archive: resolves package names to verified index entries and fetches .debs. */
export class DebianArchive {
  private indexes: Array<Map<string, DebPackage>> = [];
  private readonly fetchImpl: typeof fetch;
  constructor(private readonly opts: ArchiveOptions) {
    this.fetchImpl = opts.fetchImpl ?? fetch;
  }

  private get arch() {
    return this.opts.arch ?? 'amd64';
  }

  /** Loads (from cache when fresh) and verifies the Packages index of every suite. */
  async load(): Promise<void> {
    if (this.indexes.length) return;
    for (const s of this.opts.suites ?? BOOKWORM_SUITES) this.indexes.push(await this.loadSuite(s));
  }

  private async loadSuite(s: Suite): Promise<Map<string, DebPackage>> {
    const component = s.component ?? 'main';
    const dir = join(this.opts.cacheDir, 'indexes', s.suite, component, `binary-${this.arch}`);
    const cached = join(dir, 'Packages');
    const maxAge = this.opts.indexMaxAgeMs ?? 24 * 3600_000;
    let text: string | undefined;
    if (existsSync(cached) && maxAge > 0) {
      const st = await stat(cached);
      if (Date.now() - st.mtimeMs < maxAge) text = await readFile(cached, 'utf8');
    }
    if (text === undefined) {
      const base = `${s.archive}/dists/${s.suite}`;
      this.opts.onProgress?.(`fetching ${base}/InRelease`);
      const release = await verifyInRelease(await download(`${base}/InRelease`, this.fetchImpl), this.opts.keyring ?? DEFAULT_KEYRING);
      const hashes = parseReleaseHashes(release);
      const rel = `${component}/binary-${this.arch}/Packages.xz`;
      const want = hashes.get(rel);
      if (!want) throw new DebianError(`${base}/InRelease lists no ${rel}`);
      this.opts.onProgress?.(`fetching ${base}/${rel}`);
      const xz = await download(`${base}/${rel}`, this.fetchImpl);
      const got = sha256Hex(xz);
      if (got !== want.sha256) throw new DebianError(`${base}/${rel} has sha256 ${got}, InRelease says ${want.sha256}; a mirror is out of sync, retry later`);
      const r = await run('xz', ['-dc'], xz);
      if (r.code !== 0) throw new DebianError(`cannot decompress ${rel}: ${r.stderr}`);
      text = r.stdout.toString('utf8');
      await mkdir(dir, { recursive: true });
      await atomicWrite(cached, text);
    }
    const idx = parsePackagesIndex(text);
    for (const p of idx.values()) {
      p.archive = s.archive;
      p.suite = s.suite;
    }
    return idx;
  }

  /** The newest version of a package across the suites. */
  resolve(name: string): DebPackage {
    const p = pickNewest(name, this.indexes);
    if (!p) throw new DebianError(`package ${name} is not in ${(this.opts.suites ?? BOOKWORM_SUITES).map((s) => s.suite).join(', ')} (${this.arch}); check the recipe's package name`);
    return p;
  }

  /** Path of the verified .deb in the content-addressed cache, downloading it when missing. */
  async fetchDeb(pkg: DebPackage): Promise<string> {
    const dir = join(this.opts.cacheDir, 'debs', 'sha256');
    const file = join(dir, pkg.sha256);
    if (existsSync(file)) return file;
    const url = `${pkg.archive}/${pkg.filename}`;
    this.opts.onProgress?.(`fetching ${pkg.name} ${pkg.version} (${Math.round(pkg.size / 1024)} KiB)`);
    const data = await download(url, this.fetchImpl);
    verifyDeb(pkg, data);
    await mkdir(dir, { recursive: true });
    await atomicWrite(file, data);
    return file;
  }
}

/** tmp file + rename with a name of our own: builds running side by side share the cache. */
export async function atomicWrite(path: string, data: Buffer | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Refuses a .deb whose bytes do not match its Packages index entry. */
export function verifyDeb(pkg: DebPackage, data: Buffer): void {
  const got = sha256Hex(data);
  if (got !== pkg.sha256) {
    throw new DebianError(`${pkg.filename}: sha256 ${got} does not match the Packages index (${pkg.sha256}); refusing a corrupted or tampered .deb`);
  }
}
