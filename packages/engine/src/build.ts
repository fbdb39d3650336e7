// build(): spec → resolved images → planned sections → cached, compressed section archives →
// output formats. The one entry point the CLI and the worker call; events describe progress.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve as resolvePath } from 'node:path';
import { parseSpecs, SpecError, type Spec } from '@oscompose/spec';
import type { FsEntry } from './oci/entry';
import { tarStream } from './oci/tar';
import { filesEntries } from './layout/files';
import { planSections, type PlannedImage, type SectionPlan } from './layout/plan';
import { containerEntries, initEntries, kernelEntries, volumeEntries, type Flatten, type KernelPieces } from './layout/sections';
import { specMetadata } from './layout/metadata';
import { ARCHIVE_LAYOUT, DEFAULT_GZIP_LEVEL, initrdView, sectionArchive, SectionCache, trailerArchive, type Compression, type HardlinkPolicy } from './initramfs/index';
import { getFormat, listFormats } from './outputs/index';
import { describeMissing, locateTool, missingTools } from './outputs/disk/index';
import type { BuildEvent, OutputContext } from './outputs/types';
import type { ImageResolverOptions } from './image/resolve';
import { checkCompressedSize, DEFAULT_LIMITS, UnpackBudget, type BuildLimits } from './image/safety';

export type { BuildEvent } from './outputs/types';

/** What the engine needs from image acquisition (image/): pin a reference, stream its files. */
export interface ImageProvider {
  /**
   * Pins a reference: `digest` is the image manifest for the build's arch; `pinned` (optional) is
   * the reference to write into a resolved spec (LinuxKit pins to the multi-arch index digest).
   */
  resolve(ref: string): Promise<{ ref: string; digest: string; pinned?: string; config?: { config?: PlannedImage['config'] } }>;
  flatten(image: { ref: string; digest: string }): AsyncIterable<FsEntry>;
}

export interface ImageProviderOptions {
  cacheDir: string;
  imageStores: string[];
  pull: boolean;
  arch: string;
  insecureRegistries: string[];
  signal?: AbortSignal;
  /** Registry client options (a server's RegistryPolicy, credentials sources, retries). */
  registry?: ImageResolverOptions['registry'];
  /** Per-image and per-build limits on what flattening may decompress (one budget per provider). */
  limits?: BuildLimits;
}

export class BuildError extends Error {
  override name = 'BuildError';
}

export interface BuildOptions {
  /** A parsed spec, or spec files merged in order (LinuxKit's `build a.yml b.yml`). */
  spec?: Spec;
  specFiles?: string[];
  /** Directory `source:` paths are relative to. Default: the first spec file's directory, else cwd. */
  baseDir?: string;
  /**
   * Which host files `files: [{source: …}]` may read: `any` (LinuxKit's behaviour, for the CLI),
   * `base-dir` (only below baseDir) or `none` (servers building specs from users).
   */
  sources?: 'any' | 'base-dir' | 'none';
  formats?: string[];
  outDir?: string;
  /** Artifact base name. Default: the first spec file's name without extension, else "linuxkit". */
  name?: string;
  cacheDir?: string;
  imageStores?: string[];
  pull?: boolean;
  arch?: string;
  insecureRegistries?: string[];
  /** Reuse cached section archives (default true; OSCOMPOSE_NO_SECTION_CACHE=1 turns it off). */
  sectionCache?: boolean;
  compression?: Compression;
  /** gzip 1–9 (default 5) or zstd 1–19 (default 3). Part of each section's cache key. */
  compressionLevel?: number;
  /** LinuxKit turns hard links into relative symlinks in the initrd; `keep` writes real ones. */
  hardlinks?: HardlinkPolicy;
  /** Seconds since the epoch for every timestamp (default SOURCE_DATE_EPOCH or 0). */
  sourceDateEpoch?: number;
  signal?: AbortSignal;
  onEvent?: (e: BuildEvent) => void;
  /** Image acquisition; default: the engine's resolver (image stores, blob cache, registries). */
  images?: ImageProvider;
  /** Limits for the default image provider (a provider passed as `images` brings its own). */
  limits?: BuildLimits;
}

export interface Artifact {
  format: string;
  name: string;
  path: string;
  size: number;
  sha256: string;
}

export interface BuildResult {
  artifacts: Artifact[];
  /** The spec with every image reference pinned (`ref@sha256:…`). */
  resolved: Spec;
  sections: { id: string; label: string; key: string; cached: boolean; bytes: number; compressed: number }[];
}

export function defaultCacheDir(): string {
  return process.env.OSCOMPOSE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'oscompose');
}

function checkAbort(signal?: AbortSignal) {
  if (signal?.aborted) throw new BuildError('build cancelled');
}

/** The default image provider: image/'s resolver (image stores, blob cache, registries) and flattener. */
export async function defaultImageProvider(opts: ImageProviderOptions): Promise<ImageProvider> {
  const { createImageResolver } = await import('./image/resolve');
  const resolver = createImageResolver({
    cacheDir: opts.cacheDir, imageStores: opts.imageStores, insecureRegistries: opts.insecureRegistries, arch: opts.arch, pull: opts.pull,
    ...(opts.registry ? { registry: opts.registry } : {}),
  });
  type Resolved = Awaited<ReturnType<typeof resolver.resolve>>;
  const { flattenImage } = await import('./image/flatten');
  const byDigest = new Map<string, Resolved>();
  const limits = opts.limits ?? {};
  const maxImageBytes = limits.maxImageBytes ?? DEFAULT_LIMITS.maxBytes;
  const budget = limits.maxBuildBytes !== undefined ? new UnpackBudget(limits.maxBuildBytes) : undefined;
  return {
    async resolve(ref) {
      const r = await resolver.resolve(ref);
      byDigest.set(r.digest, r);
      return { ref, digest: r.digest, pinned: r.pinned, config: r.config };
    },
    async *flatten(img) {
      const r = byDigest.get(img.digest) ?? (await resolver.resolve(img.ref));
      checkCompressedSize(r.reference, r.layers, maxImageBytes);
      await resolver.fetchLayers(r);
      yield* flattenImage(r, { maxBytes: maxImageBytes, maxEntries: limits.maxImageEntries, budget, signal: opts.signal });
    },
  };
}

export async function loadSpec(opts: Pick<BuildOptions, 'spec' | 'specFiles'>): Promise<Spec> {
  if (opts.spec) return opts.spec;
  if (!opts.specFiles?.length) throw new BuildError('no spec given: pass a spec or at least one spec file');
  const inputs = await Promise.all(
    opts.specFiles.map(async (file) => {
      try {
        return { file, text: await readFile(file, 'utf8') };
      } catch (e) {
        throw new BuildError(`cannot read spec file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }),
  );
  const { spec, problems } = parseSpecs(inputs);
  if (!spec) throw new SpecError(problems);
  return spec;
}

function specImages(spec: Spec): string[] {
  const refs = new Set<string>();
  if (spec.kernel?.image) refs.add(spec.kernel.image);
  for (const r of spec.init ?? []) refs.add(r);
  for (const s of ['onboot', 'onshutdown', 'services'] as const) for (const c of spec[s] ?? []) refs.add(c.image);
  for (const v of spec.volumes ?? []) if (v.image) refs.add(v.image);
  return [...refs];
}

function pin(ref: string, digest: string): string {
  return `${ref.replace(/@sha256:[0-9a-f]{64}$/, '')}@${digest}`;
}

/** Resolves every image of the spec; returns the planner's view and the pinned spec. */
export async function resolveSpec(spec: Spec, images: ImageProvider, opts: { signal?: AbortSignal; onEvent?: (e: BuildEvent) => void } = {}) {
  const refs = specImages(spec);
  const planned = new Map<string, PlannedImage>();
  const pinnedRefs = new Map<string, string>();
  let done = 0;
  opts.onEvent?.({ type: 'stage', stage: 'resolve', total: refs.length, done: 0 });
  await Promise.all(
    refs.map(async (ref) => {
      const r = await images.resolve(ref);
      checkAbort(opts.signal);
      planned.set(ref, { ref, digest: r.digest, config: r.config?.config });
      pinnedRefs.set(ref, r.pinned ?? pin(ref, r.digest));
      opts.onEvent?.({ type: 'progress', stage: 'resolve', done: ++done, total: refs.length, message: `${ref} → ${r.digest}` });
    }),
  );
  const p = (ref: string) => pinnedRefs.get(ref)!;
  const resolved: Spec = structuredClone(spec);
  if (resolved.kernel?.image) resolved.kernel.image = p(resolved.kernel.image);
  if (resolved.init) resolved.init = resolved.init.map(p);
  for (const s of ['onboot', 'onshutdown', 'services'] as const) for (const c of resolved[s] ?? []) c.image = p(c.image);
  for (const v of resolved.volumes ?? []) if (v.image) v.image = p(v.image);
  return { planned, resolved };
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Runs tasks with at most n in flight. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/** One section of a planned build and whether its archive is already in the section cache. */
export interface PlannedSection {
  id: string;
  label: string;
  kind: SectionPlan['kind'];
  image?: string;
  cached: boolean;
}

/**
 * What a build of this spec would do, without doing it: the sections in order and which of
 * them the section cache already holds (for the UI's "what will be built"). Images are resolved;
 * nothing is fetched or written. The files section is reported as not cached (its key covers
 * source contents only known while building).
 */
export async function explainBuild(
  spec: Spec,
  images: ImageProvider,
  opts: Pick<BuildOptions, 'cacheDir' | 'compression' | 'compressionLevel' | 'hardlinks' | 'signal'> = {},
): Promise<PlannedSection[]> {
  const { planned } = await resolveSpec(spec, images, { signal: opts.signal });
  const plan = planSections(spec, planned);
  const compression = opts.compression ?? 'gzip';
  const cache = new SectionCache(join(opts.cacheDir ?? defaultCacheDir(), 'sections'));
  const ext = compression === 'zstd' ? 'cpio.zst' : compression === 'gzip' ? 'cpio.gz' : 'cpio';
  const level = opts.compressionLevel ?? (compression === 'zstd' ? 3 : DEFAULT_GZIP_LEVEL);
  const out: PlannedSection[] = [];
  for (const s of plan.sections) {
    const cached = s.kind !== 'files' && (await cache.has(`${s.key}-${opts.hardlinks ?? 'symlink'}-l${level}-${ARCHIVE_LAYOUT}`, ext));
    out.push({ id: s.id, label: s.label, kind: s.kind, image: 'image' in s ? s.image?.ref : undefined, cached });
  }
  return out;
}

export async function build(opts: BuildOptions): Promise<BuildResult> {
  const emit = (e: BuildEvent) => opts.onEvent?.(e);
  const signal = opts.signal;
  const spec = await loadSpec(opts);
  const formats = opts.formats?.length ? opts.formats : ['kernel+initrd'];
  for (const f of formats) {
    if (!getFormat(f)) throw new BuildError(`unknown format "${f}"; known formats: ${listFormats().join(', ')}`);
  }
  // Host tools first, so a missing xorriso fails in a second, not after the images are fetched.
  const missing = missingTools(formats.map((f) => getFormat(f)!));
  if ((opts.compression ?? 'gzip') === 'zstd' && !locateTool('zstd')) missing.push({ tool: 'zstd', debianPackage: 'zstd', formats: ['--compression zstd'] });
  if (missing.length) throw new BuildError(`missing host tools: ${describeMissing(missing).join('; ')}`);
  const name = opts.name ?? (opts.specFiles?.[0] ? basename(opts.specFiles[0], extname(opts.specFiles[0])) : 'linuxkit');
  const outDir = resolvePath(opts.outDir ?? '.');
  const baseDir = opts.baseDir ?? (opts.specFiles?.[0] ? dirname(resolvePath(opts.specFiles[0])) : process.cwd());
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const compression = opts.compression ?? 'gzip';
  const hardlinks = opts.hardlinks ?? 'symlink';
  const useSectionCache = opts.sectionCache ?? process.env.OSCOMPOSE_NO_SECTION_CACHE !== '1';
  const epoch = opts.sourceDateEpoch ?? (process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) : 0);

  const images =
    opts.images ??
    (await defaultImageProvider({
      cacheDir, imageStores: opts.imageStores ?? [], pull: opts.pull ?? false, arch: opts.arch ?? 'amd64',
      insecureRegistries: opts.insecureRegistries ?? [], signal, limits: opts.limits,
    }));
  checkAbort(signal);
  const { planned, resolved } = await resolveSpec(spec, images, { signal, onEvent: emit });
  checkAbort(signal);

  const plan = planSections(spec, planned);
  const flatten: Flatten = (img) => images.flatten(img);
  const cache = new SectionCache(join(cacheDir, 'sections'));
  const ext = compression === 'zstd' ? 'cpio.zst' : compression === 'gzip' ? 'cpio.gz' : 'cpio';

  // The files section's key also covers the contents of its source files and the metadata.
  const metadata = (fmt: string) => specMetadata(spec, fmt);
  const sources = opts.sources ?? 'any';
  const readSource = async (src: string) => {
    if (sources === 'none') throw new BuildError(`files: source "${src}" is not allowed here (host files cannot be read in this build); use contents instead`);
    const p = src.startsWith('~/') ? join(homedir(), src.slice(2)) : resolvePath(baseDir, src);
    if (sources === 'base-dir' && !(p + '/').startsWith(resolvePath(baseDir) + '/')) {
      throw new BuildError(`files: source "${src}" is outside ${baseDir}; only files below the spec directory may be read`);
    }
    try {
      if (!(await stat(p)).isFile()) return undefined;
      return await readFile(p);
    } catch {
      return undefined;
    }
  };
  let filesList: FsEntry[] | undefined;
  for (const s of plan.sections) {
    if (s.kind !== 'files') continue;
    filesList = await filesEntries({ files: s.files, idMap: plan.idMap, readSource, metadata });
    const h = createHash('sha256').update(s.key);
    for (const e of filesList) h.update(JSON.stringify({ ...e, content: undefined })).update((e.content as Buffer | undefined) ?? '');
    s.key = h.digest('hex');
  }

  const entriesOf = (s: SectionPlan, pieces: KernelPieces, apk: { db?: Buffer }): AsyncIterable<FsEntry> => {
    switch (s.kind) {
      case 'kernel':
        return kernelEntries(s, flatten, pieces);
      case 'init':
        return captureApkDb(initEntries(s, flatten), apk);
      case 'container':
        return containerEntries(s, flatten);
      case 'volume':
        return volumeEntries(s, flatten);
      case 'files':
        return (async function* () {
          yield* filesList ?? [];
        })();
    }
  };

  // ---- sections, in parallel (compression runs on the thread pool; both cores work)
  const workDir = await mkdtemp(join(tmpdir(), 'oscompose-build-'));
  try {
    const totalSections = plan.sections.length;
    const results = new Map<string, { archive: Buffer; cached: boolean; rawBytes: number; pieces: KernelPieces; apkDb?: Buffer }>();
    emit({ type: 'stage', stage: 'assemble', total: totalSections, done: 0 });
    let finished = 0;
    await pool(plan.sections, 4, async (s) => {
      checkAbort(signal);
      // Everything that changes the archive bytes is in the key: inputs, hard-link policy, level.
      const key = `${s.key}-${hardlinks}-l${opts.compressionLevel ?? (compression === 'zstd' ? 3 : DEFAULT_GZIP_LEVEL)}-${ARCHIVE_LAYOUT}`;
      if (useSectionCache) {
        const hit = await cache.get(key, ext);
        if (hit) {
          const pieces: KernelPieces = { kernel: hit.blobs?.kernel, ucode: hit.blobs?.ucode };
          const apkDb = hit.blobs?.apkdb;
          results.set(s.id, { archive: hit.archive, cached: true, rawBytes: Number(hit.extra?.rawBytes ?? 0), pieces, apkDb });
          emit({ type: 'progress', stage: 'assemble', section: s.id, done: ++finished, total: totalSections, message: `${s.label}: cached` });
          return;
        }
      }
      const pieces: KernelPieces = {};
      const apk: { db?: Buffer } = {};
      emit({ type: 'log', stage: 'compress', section: s.id, level: 'info', message: `${s.label}: building` });
      const { archive, rawBytes } = await sectionArchive(abortable(initrdView(entriesOf(s, pieces, apk), hardlinks), signal), {
        compression,
        level: opts.compressionLevel,
        mtime: epoch,
        inoBase: inoBaseOf(s.key),
        // Image sections hold one entry per path already, and with hard links turned into
        // symlinks they can be written as they are read; `files` (and `keep`) are read first.
        stream: hardlinks === 'symlink' && s.kind !== 'files',
        onBytes: (n) => emit({ type: 'progress', stage: 'compress', section: s.id, done: n, message: `${s.label}: ${(n / 1048576).toFixed(0)} MiB` }),
      });
      const blobs: Record<string, Buffer> = {};
      if (pieces.kernel) blobs.kernel = pieces.kernel;
      if (pieces.ucode) blobs.ucode = pieces.ucode;
      if (apk.db) blobs.apkdb = apk.db;
      if (useSectionCache) await cache.put(key, ext, { archive, extra: { rawBytes: String(rawBytes) }, blobs });
      results.set(s.id, { archive, cached: false, rawBytes, pieces, apkDb: apk.db });
      emit({ type: 'progress', stage: 'assemble', section: s.id, done: ++finished, total: totalSections, message: `${s.label}: ${rawBytes} bytes → ${archive.length}` });
    });
    checkAbort(signal);

    // ---- the initrd: sections in order; the union of the init images' apk databases after them
    const parts: Buffer[] = [];
    const apkDbs: Buffer[] = [];
    let kernel: Buffer | undefined;
    let ucode: Buffer | undefined;
    const lastInit = plan.sections.map((s) => s.kind).lastIndexOf('init');
    for (const [i, s] of plan.sections.entries()) {
      const r = results.get(s.id)!;
      parts.push(r.archive);
      if (r.pieces.kernel) kernel = r.pieces.kernel;
      if (r.pieces.ucode) ucode = r.pieces.ucode;
      if (r.apkDb) apkDbs.push(r.apkDb);
      if (i === lastInit && apkDbs.length > 1) {
        const db = Buffer.concat(apkDbs.flatMap((d) => [d, Buffer.from('\n\n')]));
        const entry: FsEntry = { path: 'lib/apk/db/installed', type: 'file', mode: 0o644, uid: 0, gid: 0, size: db.length, content: db };
        parts.push((await sectionArchive(list([entry]), { compression, mtime: epoch, inoBase: 1 })).archive);
      }
    }
    parts.push(await trailerArchive(compression));
    const initrd = join(workDir, 'initrd.img');
    await writeFile(initrd, Buffer.concat(parts));
    const kernelPath = join(workDir, 'kernel');
    if (kernel) await writeFile(kernelPath, kernel);
    let ucodePath: string | undefined;
    if (ucode) await writeFile((ucodePath = join(workDir, 'ucode.cpio')), ucode);

    // ---- outputs
    let rootfsTarPath: Promise<string> | undefined;
    const ctx: OutputContext = {
      name, outDir, workDir, kernel: kernel ? kernelPath : '', cmdline: plan.cmdline, initrd, ucode: ucodePath,
      sourceDateEpoch: epoch, signal, emit,
      rootfsTar: () =>
        (rootfsTarPath ??= (async () => {
          const p = join(workDir, 'rootfs.tar');
          const chunks: Buffer[] = [];
          async function* all(): AsyncGenerator<FsEntry> {
            for (const s of plan.sections) yield* entriesOf(s, {}, {});
            if (apkDbs.length > 1) {
              const db = Buffer.concat(apkDbs.flatMap((d) => [d, Buffer.from('\n\n')]));
              yield { path: 'lib/apk/db/installed', type: 'file', mode: 0o644, uid: 0, gid: 0, size: db.length, content: db };
            }
          }
          for await (const c of tarStream(abortable(all(), signal), { mtime: epoch })) chunks.push(c);
          await writeFile(p, Buffer.concat(chunks));
          return p;
        })()),
    };
    await mkdir(outDir, { recursive: true });
    const artifacts: Artifact[] = [];
    emit({ type: 'stage', stage: 'output', total: formats.length, done: 0 });
    for (const f of formats) {
      checkAbort(signal);
      const fmt = getFormat(f)!;
      const paths = await fmt.write(ctx);
      for (const p of paths) {
        const a: Artifact = { format: f, name: basename(p), path: p, size: (await stat(p)).size, sha256: await sha256File(p) };
        artifacts.push(a);
        emit({ type: 'artifact', stage: 'output', file: p, message: `${a.name} ${a.size} bytes sha256:${a.sha256}` });
      }
    }
    return {
      artifacts,
      resolved,
      sections: plan.sections.map((s) => {
        const r = results.get(s.id)!;
        return { id: s.id, label: s.label, key: s.key, cached: r.cached, bytes: r.rawBytes, compressed: r.archive.length };
      }),
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function inoBaseOf(key: string): number {
  // Distinct, deterministic inode ranges per section (hard links are matched by inode).
  return ((parseInt(key.slice(0, 3), 16) & 0xfff) << 19) + 1;
}

async function* list(entries: FsEntry[]): AsyncGenerator<FsEntry> {
  yield* entries;
}

async function* abortable<T>(it: AsyncIterable<T>, signal?: AbortSignal): AsyncGenerator<T> {
  let n = 0;
  for await (const x of it) {
    if ((++n & 255) === 0) checkAbort(signal);
    yield x;
  }
  checkAbort(signal);
}

const APK_DB = 'lib/apk/db/installed';
async function* captureApkDb(entries: AsyncIterable<FsEntry>, apk: { db?: Buffer }): AsyncGenerator<FsEntry> {
  for await (const e of entries) {
    if (e.path === APK_DB && e.type === 'file') {
      let data: Buffer;
      if (Buffer.isBuffer(e.content)) data = e.content;
      else {
        const parts: Buffer[] = [];
        for await (const c of e.content ?? []) parts.push(Buffer.from(c));
        data = Buffer.concat(parts);
      }
      apk.db = data;
      yield { ...e, content: data };
      continue;
    }
    yield e;
  }
}
