// Flattening an image's layers into its final filesystem, as a stream of FsEntry. OCI whiteouts
// are honoured, including opaque directories (`.wh..wh..opq`), which LinuxKit ignores: an opaque
// directory hides everything lower layers put under it.
//
// Two passes so no image is ever held in memory: pass 1 reads the headers of every layer (content
// skipped; digests and limits checked on the way) and decides, top layer first, which member of
// which layer survives; pass 2 streams the survivors. Output order, the same for the same image:
// every surviving directory first, sorted by path (so parents always precede children), then the
// other entries layer by layer, bottom first, in each layer's tar order (so a hard link's target
// precedes the link). A single-layer image has nothing to hide and is streamed in one pass, in
// its tar order.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { FsEntry, FsEntryType } from '../oci/entry';
import { ArchiveError } from '../oci/errors';
import { readTar, type TarMember } from '../oci/tar';
import { layerCompression, MediaType, type Descriptor, type ImageConfig } from '../oci/types';
import { DEFAULT_LIMITS, LimitError, ancestors, normaliseEntryName, parentOf, type FlattenLimits, type UnpackBudget } from './safety';

/** What flattening needs from an image; a ResolvedImage is one. */
export interface LayerSource {
  /** How messages name the image (its reference); a ResolvedImage has it. */
  reference?: string;
  /** Same, for sources that call it name. */
  name?: string;
  layers: Descriptor[];
  config?: ImageConfig;
  openBlob(digest: string): Promise<AsyncIterable<Buffer>>;
}

export interface FlattenOptions extends Partial<FlattenLimits> {
  /**
   * Stream a single-layer image in one pass, in its tar order (default true): there is nothing to
   * hide, so the header pass would only double the decompression. false: always two passes.
   */
  onePass?: boolean;
  /**
   * Multi-layer images: keep each layer's decompressed tar from pass 1 in a temporary file so
   * pass 2 does not decompress again (default true; needs the image's uncompressed size on disk
   * for the duration of the stream). false: decompress twice.
   */
  spill?: boolean;
  /** Where spill files go; default the OS temporary directory. */
  tmpDir?: string;
  /** Check each layer's uncompressed digest against config.rootfs.diff_ids. Default true. */
  verifyDiffIds?: boolean;
  /** Decompressed bytes shared with the other images of a build (the per-build limit). */
  budget?: UnpackBudget;
  /** Stops decompressing (between chunks) once aborted; the stream throws the signal's reason. */
  signal?: AbortSignal;
}

/** What is counted while reading an image: against its own limits, the build's budget, the signal. */
interface Counters {
  entries: number;
  bytes: number;
  budget?: UnpackBudget;
  signal?: AbortSignal;
}

interface Survivor {
  path: string;
  type: FsEntryType;
  /** For hard links: the normalised target path. */
  target?: string;
}

interface DirMeta {
  mode: number;
  uid: number;
  gid: number;
  mtime?: number;
  xattrs?: Record<string, Buffer>;
}

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** The final filesystem of all layers, streamed (see the module comment for the order). */
export async function* flattenImage(image: LayerSource, opts: FlattenOptions = {}): AsyncGenerator<FsEntry> {
  const limits: FlattenLimits = {
    maxEntries: opts.maxEntries ?? DEFAULT_LIMITS.maxEntries,
    maxBytes: opts.maxBytes ?? DEFAULT_LIMITS.maxBytes,
    maxPathBytes: opts.maxPathBytes ?? DEFAULT_LIMITS.maxPathBytes,
  };
  const n = image.layers.length;
  const diffIds = opts.verifyDiffIds === false ? undefined : image.config?.rootfs?.diff_ids;
  const counters: Counters = { entries: 0, bytes: 0, budget: opts.budget, signal: opts.signal };
  if (n === 1 && opts.onePass !== false) {
    yield* flattenOneLayer(image, image.layers[0]!, diffIds?.length === 1 ? diffIds[0] : undefined, limits, counters);
    return;
  }

  const spillDir = opts.spill === false ? undefined : await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'oscompose-flatten-'));
  const spillOf = (i: number) => (spillDir ? join(spillDir, `${i}.tar`) : undefined);
  try {
    yield* flattenLayers(image, limits, diffIds, counters, spillOf);
  } finally {
    if (spillDir) await rm(spillDir, { recursive: true, force: true });
  }
}

async function* flattenLayers(
  image: LayerSource,
  limits: FlattenLimits,
  diffIds: string[] | undefined,
  counters: Counters,
  spillOf: (i: number) => string | undefined,
): AsyncGenerator<FsEntry> {
  const n = image.layers.length;
  // ---- pass 1: decide survivors, top layer first
  const upper = new Map<string, FsEntryType>(); // paths defined by layers above the current one
  const whiteouts = new Set<string>();
  const opaque = new Set<string>();
  const survivors: Map<number, Survivor>[] = Array.from({ length: n }, () => new Map());
  /** Every (non-whiteout) member per layer, path → ordinal/type: for hard-link targets. */
  const allByLayer: Map<string, { ordinal: number; type: FsEntryType; target?: string }>[] = Array.from({ length: n }, () => new Map());
  const dirs = new Map<string, DirMeta>();

  const hidden = (path: string): boolean => {
    if (upper.has(path) || whiteouts.has(path)) return true;
    for (const a of ancestors(path)) {
      if (whiteouts.has(a) || opaque.has(a)) return true;
      const t = upper.get(a);
      if (t !== undefined && t !== 'dir') return true;
    }
    return false;
  };

  // Headers of all layers are read concurrently (decompression runs on libuv's thread pool);
  // the survivor decision below then walks them top layer first.
  const scans: LayerScan[] = new Array(n);
  const queue = image.layers.map((_, i) => i);
  const scanWorker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      scans[i] = await scanLayer(image, image.layers[i]!, diffIds?.length === n ? diffIds[i] : undefined, limits, counters, spillOf(i));
    }
  };
  await Promise.all([scanWorker(), scanWorker()]);

  for (let i = n - 1; i >= 0; i--) {
    const scan = scans[i]!;
    const layerPaths = new Map<string, FsEntryType>();
    const byPath = new Map<string, number>(); // surviving ordinal per path in this layer
    for (const rec of scan.entries) {
      const { path, ordinal } = rec;
      allByLayer[i]!.set(path, { ordinal, type: rec.type, ...(rec.target ? { target: rec.target } : {}) });
      if (hidden(path)) continue;
      // The same name twice in one layer: the later member wins, as when extracting.
      const earlier = byPath.get(path);
      if (earlier !== undefined) survivors[i]!.delete(earlier);
      byPath.set(path, ordinal);
      layerPaths.set(path, rec.type);
      survivors[i]!.set(ordinal, { path, type: rec.type, ...(rec.target ? { target: rec.target } : {}) });
      if (rec.dir) dirs.set(path, rec.dir);
      else dirs.delete(path);
    }
    for (const [p, t] of layerPaths) upper.set(p, t);
    for (const w of scan.whiteouts) whiteouts.add(w);
    for (const o of scan.opaque) opaque.add(o);
  }
  scans.length = 0;

  // ---- hard links: find each surviving link's source; when the source itself did not survive
  // (replaced or deleted above), the first link in output order takes its content.
  const promoted = new Map<string, string>(); // "layer:ordinal" of a hidden source → path it is emitted as
  const sourceOf = (i: number, ordinal: number, target: string, depth = 0): { layer: number; ordinal: number; path: string } => {
    if (depth > 32) throw new ArchiveError('hard link chain too long', { layerDigest: image.layers[i]!.digest, entry: target });
    let hit: { layer: number; ordinal: number; type: FsEntryType; target?: string } | undefined;
    const same = allByLayer[i]!.get(target);
    if (same && same.ordinal < ordinal) hit = { layer: i, ...same };
    for (let j = i - 1; !hit && j >= 0; j--) {
      const e = allByLayer[j]!.get(target);
      if (e) hit = { layer: j, ...e };
    }
    if (!hit) throw new ArchiveError(`hard link to "${target}", which no earlier entry provides`, { layerDigest: image.layers[i]!.digest, entry: target });
    if (hit.type === 'dir') throw new ArchiveError(`hard link to directory "${target}"`, { layerDigest: image.layers[i]!.digest, entry: target });
    if (hit.type === 'hardlink') return sourceOf(hit.layer, hit.ordinal, hit.target!, depth + 1);
    return { layer: hit.layer, ordinal: hit.ordinal, path: target };
  };
  for (let i = 0; i < n; i++) {
    for (const [ordinal, s] of [...survivors[i]!].sort(([a], [b]) => a - b)) {
      if (s.type !== 'hardlink') continue;
      const src = sourceOf(i, ordinal, s.target!);
      const key = `${src.layer}:${src.ordinal}`;
      if (survivors[src.layer]!.get(src.ordinal)?.path === src.path) {
        s.target = src.path;
        continue;
      }
      const as = promoted.get(key);
      if (as === undefined) {
        promoted.set(key, s.path);
        survivors[i]!.delete(ordinal); // emitted in the source's place, as a copy of it
      } else {
        s.target = as;
      }
    }
  }

  // ---- every parent of a surviving entry must be a directory; missing ones are made (0755 root)
  const allSurvivingPaths: string[] = [];
  const nonDirs = new Set<string>();
  for (const layer of survivors) {
    for (const s of layer.values()) {
      if (s.type !== 'dir') nonDirs.add(s.path);
      allSurvivingPaths.push(s.path);
    }
  }
  for (const p of promoted.values()) {
    nonDirs.add(p);
    allSurvivingPaths.push(p);
  }
  for (const p of allSurvivingPaths) {
    for (const a of ancestors(p)) {
      if (a === '') continue;
      if (nonDirs.has(a)) throw new ArchiveError(`"${p}" is inside "${a}", which is not a directory`, { entry: p });
      if (!dirs.has(a)) dirs.set(a, { mode: 0o755, uid: 0, gid: 0 });
    }
  }

  // ---- pass 2: directories sorted, then everything else layer by layer
  for (const path of [...dirs.keys()].sort(compareBytes)) {
    const d = dirs.get(path)!;
    yield { path, type: 'dir', mode: d.mode, uid: d.uid, gid: d.gid, size: 0, ...(d.mtime !== undefined ? { mtime: d.mtime } : {}), ...(d.xattrs ? { xattrs: d.xattrs } : {}) };
  }
  for (let i = 0; i < n; i++) {
    const layer = image.layers[i]!;
    const wanted = survivors[i]!;
    const promotedHere = new Map<number, string>();
    for (const [k, v] of promoted) {
      const [l, o] = k.split(':').map(Number);
      if (l === i) promotedHere.set(o!, v);
    }
    if (![...wanted.values()].some((s) => s.type !== 'dir') && promotedHere.size === 0) continue;
    yield* bridge(image, layer, limits, (m, ordinal) => {
      const s = wanted.get(ordinal);
      const as = promotedHere.get(ordinal);
      if (as !== undefined) return toEntry(m, as, undefined);
      if (!s || s.type === 'dir') return undefined;
      return toEntry(m, s.path, s.target);
    }, spillOf(i), counters.signal);
  }
}

/**
 * A single-layer image in one pass, tar order. Whiteouts in the bottom layer delete nothing and
 * are dropped; a parent directory the layer does not list is made (0755 root) just before its
 * first child; a hard link's target must come earlier. A name listed twice is emitted twice (the
 * later wins when unpacked, as with tar). Digests are verified when the layer ends, so a bad layer
 * fails the stream at its end.
 */
async function* flattenOneLayer(image: LayerSource, layer: Descriptor, diffId: string | undefined, limits: FlattenLimits, counters: Counters): AsyncGenerator<FsEntry> {
  const seen = new Map<string, FsEntryType>();
  for await (const m of layerMembers(image, layer, diffId, limits, counters, true)) {
    const path = normaliseEntryName(m.name, { layerDigest: layer.digest, limits });
    if (path === null) continue;
    if (path.slice(path.lastIndexOf('/') + 1).startsWith(WH)) continue;
    for (const a of ancestors(path)) {
      if (a === '') continue;
      const t = seen.get(a);
      if (t === undefined) {
        seen.set(a, 'dir');
        yield { path: a, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 };
      } else if (t !== 'dir') {
        throw new ArchiveError(`"${path}" is inside "${a}", which is not a directory`, { layerDigest: layer.digest, entry: m.name });
      }
    }
    let target: string | undefined;
    if (m.type === 'hardlink') {
      target = normaliseEntryName(m.linkname, { layerDigest: layer.digest, limits }) ?? undefined;
      if (!target) throw new ArchiveError('hard link to the root directory', { layerDigest: layer.digest, entry: m.name });
      const t = seen.get(target);
      if (t === undefined) throw new ArchiveError(`hard link to "${target}", which no earlier entry provides`, { layerDigest: layer.digest, entry: m.name });
      if (t === 'dir') throw new ArchiveError(`hard link to directory "${target}"`, { layerDigest: layer.digest, entry: m.name });
    }
    seen.set(path, m.type);
    yield toEntry(m, path, target);
  }
}

interface LayerScan {
  entries: { ordinal: number; path: string; type: FsEntryType; target?: string; dir?: DirMeta }[];
  /** Paths this layer deletes from the layers below it. */
  whiteouts: string[];
  /** Directories whose lower-layer contents this layer hides. */
  opaque: string[];
}

/** Pass 1 for one layer: names, types and link targets of its members (content skipped). */
async function scanLayer(
  image: LayerSource,
  layer: Descriptor,
  diffId: string | undefined,
  limits: FlattenLimits,
  counters: Counters,
  spillPath?: string,
): Promise<LayerScan> {
  const scan: LayerScan = { entries: [], whiteouts: [], opaque: [] };
  let ordinal = -1;
  for await (const m of layerMembers(image, layer, diffId, limits, counters, true, spillPath)) {
    ordinal++;
    const path = normaliseEntryName(m.name, { layerDigest: layer.digest, limits });
    if (path === null) continue;
    const slash = path.lastIndexOf('/');
    const base = path.slice(slash + 1);
    if (base.startsWith(WH)) {
      if (base === OPAQUE) scan.opaque.push(parentOf(path));
      else if (!base.startsWith('.wh..wh.')) {
        const target = base.slice(WH.length);
        if (target && target !== '.' && target !== '..') scan.whiteouts.push(slash === -1 ? target : `${path.slice(0, slash)}/${target}`);
      }
      continue;
    }
    let target: string | undefined;
    if (m.type === 'hardlink') {
      target = normaliseEntryName(m.linkname, { layerDigest: layer.digest, limits }) ?? undefined;
      if (!target) throw new ArchiveError('hard link to the root directory', { layerDigest: layer.digest, entry: m.name });
    }
    scan.entries.push({
      ordinal,
      path,
      type: m.type,
      ...(target ? { target } : {}),
      ...(m.type === 'dir' ? { dir: { mode: m.mode, uid: m.uid, gid: m.gid, mtime: m.mtime, ...(m.xattrs ? { xattrs: m.xattrs } : {}) } } : {}),
    });
  }
  return scan;
}

function toEntry(m: TarMember, path: string, hardlinkTarget: string | undefined): FsEntry {
  const e: FsEntry = { path, type: m.type, mode: m.mode, uid: m.uid, gid: m.gid, size: m.type === 'file' ? m.size : 0, mtime: m.mtime };
  if (m.type === 'symlink') e.linkname = m.linkname;
  if (m.type === 'hardlink') e.linkname = hardlinkTarget;
  if (m.type === 'char' || m.type === 'block') {
    e.devmajor = m.devmajor;
    e.devminor = m.devminor;
  }
  if (m.xattrs) e.xattrs = m.xattrs;
  if (m.type === 'file') e.content = m.content;
  return e;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Decompressed tar bytes of a layer, counting against the byte limit; hashes as it goes. */
async function openLayer(
  image: LayerSource,
  layer: Descriptor,
  limits: FlattenLimits,
  counters: Counters,
  hashes: { compressed?: Hash; uncompressed?: Hash; spill?: (c: Buffer) => void | Promise<void> },
): Promise<{ stream: AsyncIterable<Buffer>; done: Promise<void> }> {
  const compression = layerCompression(layer.mediaType);
  if (!compression) throw new ArchiveError(`unsupported layer media type "${layer.mediaType}"`, { layerDigest: layer.digest });
  const raw = await image.openBlob(layer.digest);
  const hashed = (async function* () {
    for await (const c of raw) {
      hashes.compressed?.update(c);
      yield c;
    }
  })();
  let decompressed: AsyncIterable<Buffer>;
  let done: Promise<void> = Promise.resolve();
  if (compression === 'none') decompressed = hashed;
  else if (compression === 'gzip') {
    // Large output chunks: with the default 16 KiB, per-chunk overhead doubles the time.
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    done = pipeline(Readable.from(hashed), gunzip).catch((e: unknown) => {
      gunzip.destroy(e as Error);
    });
    decompressed = gunzip;
  } else {
    const child = spawn('zstd', ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.on('error', (e) => child.stdout.destroy(new ArchiveError(`zstd layers need the zstd tool (apt-get install zstd): ${e.message}`, { layerDigest: layer.digest })));
    done = pipeline(Readable.from(hashed), child.stdin).catch(() => undefined);
    decompressed = child.stdout;
  }
  const limited = (async function* () {
    try {
      for await (const c of decompressed) {
        if (counters.signal?.aborted) throw abortReason(counters.signal);
        counters.bytes += c.length;
        if (counters.bytes > limits.maxBytes) {
          throw new LimitError('image-bytes', limits.maxBytes, `the image decompresses to more than ${limits.maxBytes} bytes (the limit per image; a decompression bomb, or an image too large for this machine)`, { layerDigest: layer.digest, image: imageName(image) });
        }
        counters.budget?.take(c.length, layer.digest, imageName(image));
        hashes.uncompressed?.update(c);
        if (hashes.spill) await hashes.spill(c);
        yield c;
      }
    } catch (e) {
      if (e instanceof ArchiveError || e instanceof LimitError || counters.signal?.aborted) throw e;
      throw new ArchiveError(`cannot decompress layer (${compression}): ${(e as Error).message}`, { layerDigest: layer.digest, cause: e });
    } finally {
      (decompressed as Readable).destroy?.();
    }
  })();
  return { stream: limited, done };
}

/**
 * The members of a layer, in tar order, counting entries against the limit; with `verify`, the
 * compressed digest and the uncompressed diff_id are checked once the whole blob was read (a
 * consumer that reads content gets it hashed on the way).
 */
async function* layerMembers(
  image: LayerSource,
  layer: Descriptor,
  diffId: string | undefined,
  limits: FlattenLimits,
  counters: Counters,
  verify: boolean,
  spillPath?: string,
): AsyncGenerator<TarMember> {
  const hashes: Parameters<typeof openLayer>[4] = verify ? { compressed: createHash('sha256'), uncompressed: diffId ? createHash('sha256') : undefined } : {};
  const spill = spillPath ? createWriteStream(spillPath) : undefined;
  // A write still in flight when a bad layer makes us destroy the spill file errors on its own
  // later; keep that error here (surfaced by the next write or end) instead of crashing the process.
  let spillError: Error | undefined;
  if (spill) {
    spill.on('error', (e) => {
      spillError ??= e;
    });
    hashes.spill = async (c) => {
      if (spillError) throw spillError;
      if (!spill.write(c)) await once(spill, 'drain');
    };
  }
  const { stream, done } = await openLayer(image, layer, limits, counters, hashes);
  const it = stream[Symbol.asyncIterator]();
  // readTar stops at the end-of-archive blocks; keep the iterator alive to drain the rest so the
  // digests cover the whole blob.
  const view: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => ({ next: () => it.next(), return: async () => ({ done: true, value: undefined }) }) };
  try {
    for await (const m of readTar(view, { layerDigest: layer.digest })) {
      if (++counters.entries > limits.maxEntries) {
        throw new LimitError('image-entries', limits.maxEntries, `the image has more than ${limits.maxEntries} entries (the limit per image)`, { layerDigest: layer.digest, image: imageName(image) });
      }
      yield m;
    }
    if (!verify && !spill) return;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      /* drain */
    }
    await done;
    if (spill) await new Promise<void>((res, rej) => spill.end((e?: Error | null) => (e || spillError ? rej(e ?? spillError) : res())));
  } finally {
    await it.return?.();
    if (spill && !spill.writableFinished) spill.destroy();
  }
  if (hashes.compressed) {
    const got = `sha256:${hashes.compressed.digest('hex')}`;
    if (got !== layer.digest) {
      throw new ArchiveError(`layer content has digest ${got}, not the digest its manifest names; the blob is corrupt or was tampered with (delete it from the cache and fetch again)`, {
        layerDigest: layer.digest,
      });
    }
  }
  if (hashes.uncompressed && diffId) {
    const got = `sha256:${hashes.uncompressed.digest('hex')}`;
    if (got !== diffId) throw new ArchiveError(`uncompressed layer has digest ${got}, but the image config lists diff_id ${diffId}`, { layerDigest: layer.digest });
  }
}

/** Pass 2 for one layer: streams the entries `pick` selects, content straight from the layer. */
async function* bridge(
  image: LayerSource,
  layer: Descriptor,
  limits: FlattenLimits,
  pick: (m: TarMember, ordinal: number) => FsEntry | undefined,
  spilled?: string,
  signal?: AbortSignal,
): AsyncGenerator<FsEntry> {
  if (spilled) {
    // Pass 1 kept the decompressed tar: read it back as an uncompressed layer.
    image = { layers: [], openBlob: async () => createReadStream(spilled, { highWaterMark: 1 << 20 }) };
    layer = { ...layer, mediaType: MediaType.ociLayer };
  }
  // Pass 2 re-reads data pass 1 already counted and verified: no limit applies twice.
  let ordinal = 0;
  for await (const m of layerMembers(image, layer, undefined, { ...limits, maxBytes: Number.MAX_SAFE_INTEGER, maxEntries: Number.MAX_SAFE_INTEGER }, { entries: 0, bytes: 0, signal }, false)) {
    const e = pick(m, ordinal++);
    if (e) yield e;
  }
}

function imageName(image: LayerSource): string | undefined {
  return image.reference ?? image.name;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new DOMException('the build was aborted', 'AbortError');
}
