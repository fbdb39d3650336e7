// execute(): does what a BuildPlan says. Each section's archive comes from the section cache or
// is assembled from its image (flattened through the ImageProvider) and compressed; the initrd is
// the archives in order; then each output format writes its artifacts. Every decision (order,
// keys, entries of the files section, settings) was made by plan(); this is the I/O.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve as resolvePath } from 'node:path';
import type { Spec } from '@oscompose/spec';
import type { FsEntry } from './oci/entry';
import { tarStream } from './oci/tar';
import { containerEntries, fileContent, initEntries, kernelEntries, spillTo, volumeEntries, type Flatten, type KernelPieces } from './layout/sections';
import { buildContents, FileSink, initrdView, sectionArchive, SectionCache, Tally, trailer, trailerArchive, type BuildContents, type SectionInput, type SectionTally } from './initramfs/index';
import { linkOrCopy } from './initramfs/section-cache';
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
  /** What the initramfs is made of: bytes per section → directory, the largest files (initramfs/contents.ts). */
  contents: BuildContents;
}

/** Version of the contents tally kept beside a cached section; an older entry is built again once. */
const CONTENTS_TALLY = '1';

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

  const entriesOf = (s: PlannedBuildSection, pieces: KernelPieces, apk: ApkDb): AsyncIterable<FsEntry> => {
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
  // Section archives, spilled kernels and apk databases: files, never whole in memory.
  const scratch = await mkdtemp(join(workDir, '.sections-'));
  try {
    // ---- sections, in parallel (compression runs on the thread pool; both cores work)
    const totalSections = plan.sections.length;
    const results = new Map<string, { archive: string; bytes: number; cached: boolean; rawBytes: number; pieces: KernelPieces; apkDb?: string; tally: SectionTally }>();
    emit({ type: 'stage', stage: 'assemble', total: totalSections, done: 0 });
    let finished = 0;
    await pool(plan.sections, 4, async (s, index) => {
      checkAbort(signal);
      if (useSectionCache) {
        const hit = await cache.get(s.cacheKey, plan.archiveExt);
        // An archive cached before package databases were kept is built again once (for the SBOM).
        // So is one cached before its contents were tallied (for the size breakdown).
        if (hit && (!plan.sbom || hit.extra?.pkgdb === '1') && hit.extra?.contents === CONTENTS_TALLY && hit.blobs?.contents) {
          const digest = 'image' in s ? s.image?.digest : undefined;
          // Package databases are parsed whole for the SBOM (text of a few MB at most).
          if (digest && hit.blobs?.dpkg) dbsOf(digest).dpkg = await readFile(hit.blobs.dpkg);
          if (digest && hit.blobs?.apkinstalled) dbsOf(digest).apk = await readFile(hit.blobs.apkinstalled);
          const pieces: KernelPieces = { dir: scratch, kernel: hit.blobs?.kernel, ucode: hit.blobs?.ucode };
          const bytes = (await stat(hit.archive)).size;
          const tally = JSON.parse(await readFile(hit.blobs.contents, 'utf8')) as SectionTally;
          results.set(s.id, { archive: hit.archive, bytes, cached: true, rawBytes: Number(hit.extra?.rawBytes ?? 0), pieces, apkDb: hit.blobs?.apkdb, tally });
          emit({ type: 'progress', stage: 'assemble', section: s.id, done: ++finished, total: totalSections, message: `${s.label}: cached` });
          return;
        }
      }
      const dir = join(scratch, String(index));
      await mkdir(dir);
      const pieces: KernelPieces = { dir };
      const apk: ApkDb = { dir };
      emit({ type: 'log', stage: 'compress', section: s.id, level: 'info', message: `${s.label}: building` });
      const archive = useSectionCache ? await cache.tempPath() : join(dir, 'archive');
      let written: { rawBytes: number; bytes: number };
      const tally = new Tally();
      try {
        written = await sectionArchive(abortable(initrdView(entriesOf(s, pieces, apk), hardlinks), signal), {
          compression,
          level: plan.compressionLevel,
          mtime: epoch,
          inoBase: inoBaseOf(s.key),
          // Image sections hold one entry per path already, and with hard links turned into
          // symlinks they can be written as they are read; `files` (and `keep`) are read first.
          stream: hardlinks === 'symlink' && s.kind !== 'files',
          tmpDir: dir,
          onRecord: tally.add,
          onBytes: (n) => emit({ type: 'progress', stage: 'compress', section: s.id, done: n, message: `${s.label}: ${(n / 1048576).toFixed(0)} MiB` }),
        }, archive);
      } catch (e) {
        if (useSectionCache) await rm(archive, { force: true });
        throw e;
      }
      const { rawBytes, bytes } = written;
      const blobs: Record<string, string> = {};
      if (pieces.kernel) blobs.kernel = pieces.kernel;
      if (pieces.ucode) blobs.ucode = pieces.ucode;
      if (apk.db) blobs.apkdb = apk.db;
      const own = 'image' in s && s.image && !(s.kind === 'container' && s.reuses) ? dbs.get(s.image.digest) : undefined;
      if (own?.dpkg) await writeFile((blobs.dpkg = join(dir, 'dpkg')), own.dpkg);
      if (own?.apk) await writeFile((blobs.apkinstalled = join(dir, 'apkinstalled')), own.apk);
      const counted = tally.result();
      await writeFile((blobs.contents = join(dir, 'contents')), JSON.stringify(counted));
      const extra: Record<string, string> = { rawBytes: String(rawBytes), contents: CONTENTS_TALLY, ...(plan.sbom ? { pkgdb: '1' } : {}) };
      let path = archive;
      if (useSectionCache) {
        await cache.put(s.cacheKey, plan.archiveExt, { archive, extra, blobs });
        path = (await cache.get(s.cacheKey, plan.archiveExt))?.archive ?? archive;
      }
      results.set(s.id, { archive: path, bytes, cached: false, rawBytes, pieces, apkDb: apk.db, tally: counted });
      emit({ type: 'progress', stage: 'assemble', section: s.id, done: ++finished, total: totalSections, message: `${s.label}: ${rawBytes} bytes → ${bytes}` });
    });
    checkAbort(signal);

    // ---- the initrd: sections in order; the union of the init images' apk databases after them
    // ---- the SBOM, last (as LinuxKit writes it after the files section)
    let sbom: BuildResult['sbom'];
    let sbomEntry: FsEntry | undefined;
    let sbomArchive: string | undefined;
    // The initramfs's parts in order, as the contents see them (the engine's own parts included).
    const parts: SectionInput[] = [];
    let sbomPart: SectionInput | undefined;
    if (plan.sbom) {
      const bytes = await collectSbom(plan, io.images, dbs, ENGINE_VERSION);
      sbom = { path: plan.sbom, bytes };
      sbomEntry = { path: plan.sbom, type: 'file', mode: 0o644, uid: 0, gid: 0, size: bytes.length, content: bytes };
      sbomArchive = join(scratch, 'sbom.archive');
      const tally = new Tally();
      const w = await sectionArchive(list([sbomEntry]), { compression, mtime: epoch, inoBase: 2, tmpDir: scratch, onRecord: tally.add }, sbomArchive);
      sbomPart = { id: 'sbom', label: 'SBOM', kind: 'sbom', bytes: w.rawBytes, compressed: w.bytes, tally: tally.result() };
    }
    const initrd = join(workDir, 'initrd.img');
    const sink = await FileSink.create(initrd);
    const apkDbs: string[] = [];
    let kernel: string | undefined;
    let ucode: string | undefined;
    try {
      const lastInit = plan.sections.map((s) => s.kind).lastIndexOf('init');
      for (const [i, s] of plan.sections.entries()) {
        const r = results.get(s.id)!;
        await sink.writeFile(r.archive);
        const image = 'image' in s && s.image ? `${s.image.ref.split('@')[0]}@${s.image.digest}` : undefined;
        // Labelled by the reference as written, without its pin: the same section of two builds
        // has the same label when its image changed (the digest is in `image`).
        parts.push({ id: s.id, label: s.label.replace(/@sha256:[0-9a-f]{64}/, ''), kind: s.kind, ...(image ? { image } : {}), bytes: r.rawBytes, compressed: r.bytes, cached: r.cached, tally: r.tally });
        if (r.pieces.kernel) kernel = r.pieces.kernel;
        if (r.pieces.ucode) ucode = r.pieces.ucode;
        if (r.apkDb) apkDbs.push(r.apkDb);
        if (i === lastInit && apkDbs.length > 1) {
          const merged = join(scratch, 'apkdb.archive');
          const tally = new Tally();
          const w = await sectionArchive(list([await mergedApkDb(apkDbs)]), { compression, mtime: epoch, inoBase: 1, tmpDir: scratch, onRecord: tally.add }, merged);
          await sink.writeFile(merged);
          parts.push({ id: 'apk-database', label: 'apk database (init images merged)', kind: 'apk-database', bytes: w.rawBytes, compressed: w.bytes, tally: tally.result() });
        }
      }
      if (sbomArchive) await sink.writeFile(sbomArchive);
      if (sbomPart) parts.push(sbomPart);
      const end = await trailerArchive(compression);
      await sink.write(end);
      const trailerBytes = trailer().length;
      parts.push({ id: 'trailer', label: 'cpio trailer', kind: 'trailer', bytes: trailerBytes, compressed: end.length, tally: { dirs: { '': trailerBytes }, largest: [] } });
      await sink.close();
    } catch (e) {
      await sink.abandon();
      throw e;
    }
    // Links, not copies, where the file system allows: the formats only read these (an 8 MB
    // kernel copied twice was a tenth of a warm build).
    const kernelPath = join(workDir, 'kernel');
    if (kernel) await linkOrCopy(kernel, kernelPath);
    const contents = buildContents({ compression, kernel: kernel ? (await stat(kernelPath)).size : 0, sections: parts });
    let ucodePath: string | undefined;
    if (ucode) await linkOrCopy(ucode, (ucodePath = join(workDir, 'ucode.cpio')));

    // ---- outputs
    let rootfsTarPath: Promise<string> | undefined;
    const ctx: OutputContext = {
      name: plan.name, outDir, workDir, kernel: kernel ? kernelPath : '', cmdline: plan.cmdline, initrd, ucode: ucodePath,
      sourceDateEpoch: epoch, signal, emit,
      rootfsTar: () =>
        (rootfsTarPath ??= (async () => {
          const p = join(workDir, 'rootfs.tar');
          const tarScratch = await mkdtemp(join(scratch, 'tar-'));
          async function* all(): AsyncGenerator<FsEntry> {
            for (const s of plan.sections) yield* entriesOf(s, { dir: tarScratch }, { dir: tarScratch });
            if (apkDbs.length > 1) yield await mergedApkDb(apkDbs);
            if (sbomEntry) yield sbomEntry;
          }
          await pipeline(Readable.from(tarStream(abortable(all(), signal), { mtime: epoch })), createWriteStream(p));
          return p;
        })()),
    };
    await mkdir(outDir, { recursive: true });
    const artifacts: Artifact[] = [];
    const hashBuffer = Buffer.allocUnsafe(1 << 20);
    emit({ type: 'stage', stage: 'output', total: plan.outputs.length, done: 0 });
    for (const { format } of plan.outputs) {
      checkAbort(signal);
      const paths = await getFormat(format)!.write(ctx);
      for (const p of paths) {
        const a: Artifact = { format, name: basename(p), path: p, size: (await stat(p)).size, sha256: await sha256File(p, hashBuffer) };
        artifacts.push(a);
        emit({ type: 'artifact', stage: 'output', file: p, message: `${a.name} ${a.size} bytes sha256:${a.sha256}` });
      }
    }
    return {
      artifacts,
      resolved: plan.resolved,
      ...(sbom ? { sbom } : {}),
      contents,
      sections: plan.sections.map((s) => {
        const r = results.get(s.id)!;
        return { id: s.id, label: s.label, key: s.key, cached: r.cached, bytes: r.rawBytes, compressed: r.bytes };
      }),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
  }
}

/** The init images' apk databases as one lib/apk/db/installed (each followed by a blank line), streamed from their files. */
async function mergedApkDb(paths: string[]): Promise<FsEntry> {
  let size = 0;
  for (const p of paths) size += (await stat(p)).size + 2;
  async function* content(): AsyncGenerator<Buffer> {
    for (const p of paths) {
      yield* fileContent(p);
      yield Buffer.from('\n\n');
    }
  }
  return { path: APK_DB, type: 'file', mode: 0o644, uid: 0, gid: 0, size, content: { [Symbol.asyncIterator]: content } };
}

/** `buf`: one read buffer for all of a build's artifacts (fresh buffers per read cost GC time, see FileSink.writeFile). */
async function sha256File(path: string, buf: Buffer): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (!bytesRead) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

/**
 * Runs tasks with at most n in flight. After a failure no task starts, and the first error is
 * thrown only once the tasks in flight have ended: they write into the scratch directory and the
 * section cache, which the caller removes (or a test deletes) as soon as this returns.
 */
async function pool<T>(items: T[], n: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(workers);
  if (failure) throw failure.error;
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

/** Where an init section keeps its apk database: `dir` to write it in, `db` its path once seen. */
interface ApkDb {
  dir: string;
  db?: string;
}

async function* captureApkDb(entries: AsyncIterable<FsEntry>, apk: ApkDb): AsyncGenerator<FsEntry> {
  for await (const e of entries) {
    if (e.path === APK_DB && e.type === 'file') {
      // Kept on disk: the merged database after the last init image is made from it.
      const path = join(apk.dir, 'apkdb');
      const size = await spillTo(e.content, path);
      apk.db = path;
      yield { ...e, size, content: fileContent(path) };
      continue;
    }
    yield e;
  }
}
