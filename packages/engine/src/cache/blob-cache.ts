// The content-addressed blob cache shared by every build on a machine. It is an OCI image layout
// (like LinuxKit's cache): blobs/sha256/<hex> verified before they are kept, index.json naming
// each image reference resolved through it. Safe for concurrent builds and processes: blobs are
// written to a temporary file and renamed into place; index.json changes under a lock.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { addToIndex, blobPath, digestHex, findInLayout, initLayout, readBlob, readIndex, updateIndex, withLock } from '../oci/layout';
import { normaliseReference } from '../oci/reference';
import { isIndexMediaType, REF_NAME_ANNOTATION, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/types';

/** $OSCOMPOSE_CACHE, else $XDG_CACHE_HOME/oscompose, else ~/.cache/oscompose. */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.OSCOMPOSE_CACHE) return env.OSCOMPOSE_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'oscompose');
}

/** The bytes did not hash to the digest they were fetched as. */
export class DigestMismatchError extends Error {
  override name = 'DigestMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`content has digest ${actual}, expected ${expected}`);
  }
}

/** More bytes than allowed (a descriptor's size, or a limit). */
export class BlobTooLargeError extends Error {
  override name = 'BlobTooLargeError';
}

export interface CachedImage {
  /** Full normalised reference. */
  reference: string;
  digest: string;
  mediaType: string;
  /** Bytes of every blob this image uses that is in the cache. */
  size: number;
}

export class BlobCache {
  readonly dir: string;
  constructor(dir: string = defaultCacheDir()) {
    this.dir = dir;
  }

  async init(): Promise<void> {
    await initLayout(this.dir);
  }

  path(digest: string): string {
    return blobPath(this.dir, digest);
  }

  async has(digest: string): Promise<boolean> {
    try {
      await stat(this.path(digest));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Stores a blob whose digest is known: streamed to a temporary file while hashing, renamed
   * into place only if the digest matches. A blob already present is not fetched again.
   */
  async put(
    digest: string,
    source: Buffer | AsyncIterable<Buffer> | (() => Promise<AsyncIterable<Buffer>>),
    opts: { maxBytes?: number; onBytes?: (n: number) => void } = {},
  ): Promise<string> {
    const final = this.path(digest);
    if (await this.has(digest)) return final;
    await this.init();
    const src = typeof source === 'function' ? await source() : Buffer.isBuffer(source) ? [source] : source;
    const { digest: actual, tmp } = await this.writeTemp(src, opts.maxBytes, opts.onBytes);
    if (actual !== digest) {
      await rm(tmp, { force: true });
      throw new DigestMismatchError(digest, actual);
    }
    await rename(tmp, final);
    return final;
  }

  /** Stores a blob whose digest is not known in advance (archive import); returns it. */
  async putUnknown(source: AsyncIterable<Buffer> | Buffer, opts: { maxBytes?: number } = {}): Promise<{ digest: string; size: number; head: Buffer }> {
    await this.init();
    const { digest, tmp, size, head } = await this.writeTemp(Buffer.isBuffer(source) ? [source] : source, opts.maxBytes);
    await rename(tmp, this.path(digest));
    return { digest, size, head };
  }

  private async writeTemp(src: Iterable<Buffer> | AsyncIterable<Buffer>, maxBytes = Number.MAX_SAFE_INTEGER, onBytes?: (n: number) => void) {
    const tmp = join(this.dir, 'blobs', 'sha256', `.tmp-${process.pid}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    try {
      await pipeline(
        src,
        async function* (chunks: AsyncIterable<Buffer> | Iterable<Buffer>) {
          for await (const c of chunks) {
            size += c.length;
            if (size > maxBytes) throw new BlobTooLargeError(`blob is larger than ${maxBytes} bytes`);
            if (head.length < 16) head = Buffer.concat([head, c.subarray(0, 16 - head.length)]);
            hash.update(c);
            onBytes?.(c.length);
            yield c;
          }
        },
        createWriteStream(tmp),
      );
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    return { digest: `sha256:${hash.digest('hex')}`, tmp, size, head };
  }

  open(digest: string): AsyncIterable<Buffer> {
    return createReadStream(this.path(digest), { highWaterMark: 1 << 20 });
  }

  /** A small blob (manifest, config), verified. */
  read(digest: string): Promise<Buffer> {
    return readBlob(this.dir, digest);
  }

  /** Names a manifest (or index) in the cache's index.json by its full normalised reference. */
  async tag(ref: string, desc: Descriptor): Promise<void> {
    await addToIndex(this.dir, desc, ref);
  }

  async lookup(ref: string): Promise<Descriptor | undefined> {
    return findInLayout(this.dir, ref);
  }

  /** Images named in the cache, with the bytes of their cached blobs. */
  async ls(): Promise<CachedImage[]> {
    const index = await readIndex(this.dir);
    const out: CachedImage[] = [];
    for (const d of index.manifests) {
      const ref = d.annotations?.[REF_NAME_ANNOTATION];
      if (!ref) continue;
      let size = 0;
      for (const digest of await this.reachable(d)) size += await stat(this.path(digest)).then((s) => s.size, () => 0);
      out.push({ reference: ref, digest: d.digest, mediaType: d.mediaType, size });
    }
    return out;
  }

  /** Forgets images by reference (their blobs go at the next prune); returns the references removed. */
  async rm(refs: string[]): Promise<string[]> {
    const names = new Set(refs.map((r) => normaliseReference(r).name));
    const removed: string[] = [];
    await updateIndex(this.dir, (index) =>
      index.manifests.filter((d) => {
        const name = d.annotations?.[REF_NAME_ANNOTATION];
        if (name && names.has(name)) {
          removed.push(name);
          return false;
        }
        return true;
      }),
    );
    return removed;
  }

  /**
   * Deletes blobs no image in index.json uses (all blobs with `all`, emptying the index too).
   * Blobs and temporary files younger than `graceMs` (default 1 h) are kept: a concurrent build
   * may have just written them and not named them yet.
   */
  async prune(opts: { all?: boolean; graceMs?: number; now?: number } = {}): Promise<{ removed: number; bytes: number }> {
    const grace = opts.graceMs ?? 3_600_000;
    const now = opts.now ?? Date.now();
    await this.init();
    let removed = 0;
    let bytes = 0;
    await withLock(join(this.dir, '.index.lock'), async () => {
      const index = await readIndex(this.dir);
      const keep = new Set<string>();
      if (!opts.all) for (const d of index.manifests) for (const dg of await this.reachable(d)) keep.add(dg);
      const dir = join(this.dir, 'blobs', 'sha256');
      for (const name of await readdir(dir)) {
        const isTmp = name.startsWith('.tmp-');
        if (!isTmp && keep.has(`sha256:${name}`)) continue;
        const p = join(dir, name);
        const s = await stat(p).catch(() => undefined);
        if (!s) continue;
        if (!opts.all && now - s.mtimeMs < grace) continue;
        if (opts.all && isTmp && now - s.mtimeMs < grace) continue; // someone is writing it right now
        await unlink(p).catch(() => {});
        removed++;
        bytes += s.size;
      }
    });
    if (opts.all) await updateIndex(this.dir, () => []);
    return { removed, bytes };
  }

  /** Digests of every blob a named manifest/index uses that is present in the cache. */
  private async reachable(desc: Descriptor): Promise<string[]> {
    const out = [desc.digest];
    const visit = async (d: Descriptor, depth: number): Promise<void> => {
      if (depth > 2 || !(await this.has(d.digest))) return;
      let doc: ImageIndex & ImageManifest;
      try {
        doc = JSON.parse((await this.read(d.digest)).toString());
      } catch {
        return;
      }
      if (isIndexMediaType(d.mediaType) || Array.isArray(doc.manifests)) {
        for (const m of doc.manifests ?? []) {
          out.push(m.digest);
          await visit(m, depth + 1);
        }
      } else {
        if (doc.config) out.push(doc.config.digest);
        for (const l of doc.layers ?? []) out.push(l.digest);
      }
    };
    await visit(desc, 0);
    const present: string[] = [];
    for (const d of new Set(out)) {
      try {
        digestHex(d);
      } catch {
        continue;
      }
      if (await this.has(d)) present.push(d);
    }
    return present;
  }
}

