// execute(): does what a BuildPlan says. Each section's archive comes from the section cache or
// is assembled from its image (flattened through the ImageProvider) and compressed; the initrd is
// the archives in order; then each output format writes its artifacts. Every decision (order,
// keys, entries of the files section, settings) was made by plan(); this is the I/O.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve as resolvePath } from 'node:path';
import type { Spec } from '@oscompose/spec';
import type { FsEntry } from './oci/entry';
import { tarStream } from './oci/tar';
import { containerEntries, initEntries, kernelEntries, volumeEntries, type Flatten, type KernelPieces } from './layout/sections';
import { initrdView, sectionArchive, SectionCache, trailerArchive } from './initramfs/index';
import { getFormat } from './outputs/index';
import type { BuildEvent, OutputContext } from './outputs/types';
import type { BuildPlan, PlannedBuildSection } from './buildPlan';
import type { ImageProvider } from './inputs';
import { checkAbort } from './errors';
import { capturePackageDbs, collectSbom, type PackageDbs } from './sbom/collect';
import { ENGINE_VERSION } from './version';

export interface ExecuteIO {
  /** Streams each image's files (resolving was done before planning). */
  images: Pick<ImageProvider, 'flatten' | 'sbom'>;
  /** Where the artifacts are written (created if missing). */
  outDir: string;
  /**
   * Scratch space for the initrd, kernel and rootfs tar (created if missing; the caller removes
   * it). Default: a fresh directory under the system temp dir, removed afterwards.
   */
  workDir?: string;
  /** The engine cache; section archives live in its sections/ directory. */
  cacheDir: string;
  /** Reuse and store cached section archives (default true). */
  sectionCache?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: BuildEvent) => void;
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
  /** The SPDX 2.3 SBOM written into the image at plan.sbom (absent with --no-sbom). */
  sbom?: { path: string; bytes: Buffer };
  sections: { id: string; label: string; key: string; cached: boolean; bytes: number; compressed: number }[];
}

export async function execute(plan: BuildPlan, io: ExecuteIO): Promise<BuildResult> {
  const emit = (e: BuildEvent) => io.onEvent?.(e);
  const { signal } = io;
  const { compression, hardlinks, sourceDateEpoch: epoch } = plan;
  // Each image's dpkg/apk databases, kept as its files stream by (for the SBOM; by digest).
  const dbs = new Map<string, PackageDbs>();
  const dbsOf = (digest: string) => dbs.get(digest) ?? dbs.set(digest, {}).get(digest)!;
  const flatten: Flatten = (img) => (plan.sbom ? capturePackageDbs(io.images.flatten(img), dbsOf(img.digest)) : io.images.flatten(img));
  const useSectionCache = io.sectionCache ?? true;
  const cache = new SectionCache(join(io.cacheDir, 'sections'));
  const outDir = resolvePath(io.outDir);

  const entriesOf = (s: PlannedBuildSection, pieces: KernelPieces, apk: { db?: Buffer }): AsyncIterable<FsEntry> => {
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
        return list(plan.files);
    }
  };

  const ownWorkDir = !io.workDir;
  const workDir = io.workDir ? resolvePath(io.workDir) : await mkdtemp(join(tmpdir(), 'oscompose-build-'));
  if (!ownWorkDir) await mkdir(workDir, { recursive: true });
  try {
    // ---- sections, in parallel (compression runs on the thread pool; both cores work)
    const totalSections = plan.sections.length;
    const results = new Map<string, { archive: Buffer; cached: boolean; rawBytes: number; pieces: KernelPieces; apkDb?: Buffer }>();
    emit({ type: 'stage', stage: 'assemble', total: totalSections, done: 0 });
    let finished = 0;
    await pool(plan.sections, 4, async (s) => {
      checkAbort(signal);
      if (useSectionCache) {
        const hit = await cache.get(s.cacheKey, plan.archiveExt);
        // An archive cached before package databases were kept is built again once (for the SBOM).
        if (hit && (!plan.sbom || hit.extra?.pkgdb === '1')) {
          const digest = 'image' in s ? s.image?.digest : undefined;
          if (digest && hit.blobs?.dpkg) dbsOf(digest).dpkg = hit.blobs.dpkg;
          if (digest && hit.blobs?.apkinstalled) dbsOf(digest).apk = hit.blobs.apkinstalled;
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
        level: plan.compressionLevel,
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
      const own = 'image' in s && s.image && !(s.kind === 'container' && s.reuses) ? dbs.get(s.image.digest) : undefined;
      if (own?.dpkg) blobs.dpkg = own.dpkg;
      if (own?.apk) blobs.apkinstalled = own.apk;
      const extra: Record<string, string> = { rawBytes: String(rawBytes), ...(plan.sbom ? { pkgdb: '1' } : {}) };
      if (useSectionCache) await cache.put(s.cacheKey, plan.archiveExt, { archive, extra, blobs });
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
    // ---- the SBOM, last (as LinuxKit writes it after the files section)
    let sbom: BuildResult['sbom'];
    let sbomEntry: FsEntry | undefined;
    if (plan.sbom) {
      const bytes = await collectSbom(plan, io.images, dbs, ENGINE_VERSION);
      sbom = { path: plan.sbom, bytes };
      sbomEntry = { path: plan.sbom, type: 'file', mode: 0o644, uid: 0, gid: 0, size: bytes.length, content: bytes };
      parts.push((await sectionArchive(list([sbomEntry]), { compression, mtime: epoch, inoBase: 2 })).archive);
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
      name: plan.name, outDir, workDir, kernel: kernel ? kernelPath : '', cmdline: plan.cmdline, initrd, ucode: ucodePath,
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
            if (sbomEntry) yield sbomEntry;
          }
          for await (const c of tarStream(abortable(all(), signal), { mtime: epoch })) chunks.push(c);
          await writeFile(p, Buffer.concat(chunks));
          return p;
        })()),
    };
    await mkdir(outDir, { recursive: true });
    const artifacts: Artifact[] = [];
    emit({ type: 'stage', stage: 'output', total: plan.outputs.length, done: 0 });
    for (const { format } of plan.outputs) {
      checkAbort(signal);
      const paths = await getFormat(format)!.write(ctx);
      for (const p of paths) {
        const a: Artifact = { format, name: basename(p), path: p, size: (await stat(p)).size, sha256: await sha256File(p) };
        artifacts.push(a);
        emit({ type: 'artifact', stage: 'output', file: p, message: `${a.name} ${a.size} bytes sha256:${a.sha256}` });
      }
    }
    return {
      artifacts,
      resolved: plan.resolved,
      ...(sbom ? { sbom } : {}),
      sections: plan.sections.map((s) => {
        const r = results.get(s.id)!;
        return { id: s.id, label: s.label, key: s.key, cached: r.cached, bytes: r.rawBytes, compressed: r.archive.length };
      }),
    };
  } finally {
    if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
  }
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
