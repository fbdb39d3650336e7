// Rules for entry names and sizes in layers written by strangers. Decision: a leading '/' is
// stripped (the name is relative to the image root, as Docker treats it); any '..' segment, a NUL
// byte or an over-long name is refused. Symlink targets are kept verbatim (absolute links such as
// /bin/sh → /bin/busybox are normal in images): they are only dangerous when something writes to
// disk through them, which extractToDir refuses.

import { ArchiveError } from '../oci/errors';
import type { Descriptor } from '../oci/types';

export interface FlattenLimits {
  /** Most tar members read from one image (all layers). Default 1,000,000. */
  maxEntries: number;
  /** Most decompressed bytes read from one image (all layers). Default 4 GiB. */
  maxBytes: number;
  /** Longest entry name in bytes. Default 4096 (PATH_MAX). */
  maxPathBytes: number;
}

export const DEFAULT_LIMITS: FlattenLimits = {
  maxEntries: 1_000_000,
  maxBytes: 4 * 2 ** 30,
  maxPathBytes: 4096,
};

/** Limits a build hands to image flattening; left out: DEFAULT_LIMITS, and no per-build total. */
export interface BuildLimits {
  /** Decompressed bytes of one image (DEFAULT_LIMITS.maxBytes). */
  maxImageBytes?: number;
  /** Tar members of one image (DEFAULT_LIMITS.maxEntries). */
  maxImageEntries?: number;
  /** Decompressed bytes of all images of one build together. */
  maxBuildBytes?: number;
}

/**
 * The limits a build (or an upload) can run into. The engine names the limit; a server maps each
 * name to the setting that raises it (the engine knows no server settings).
 */
export type LimitName =
  | 'image-bytes' // decompressed bytes of one image
  | 'image-entries' // tar members of one image
  | 'build-bytes' // decompressed bytes of all images of one build
  | 'archive-bytes' // decompressed bytes of one uploaded archive
  | 'archive-entries' // members of one uploaded archive
  | 'artifact-bytes' // bytes of all artifacts of one build
  | 'build-seconds'; // wall time of one build

/** Input over a limit: not a broken archive, but more than this machine agreed to take. */
export class LimitError extends Error {
  override name = 'LimitError';
  constructor(
    readonly limit: LimitName,
    /** The limit's value (bytes, entries or seconds). */
    readonly max: number,
    message: string,
    opts: { layerDigest?: string; image?: string } = {},
  ) {
    const where = [opts.image && `image ${opts.image}`, opts.layerDigest && `layer ${opts.layerDigest}`].filter(Boolean).join(', ');
    super(where ? `${where}: ${message}` : message);
  }
}

/**
 * Decompressed bytes shared by every image a build flattens. It counts work, not image sizes: an
 * image flattened twice (used by two sections, or re-read for a tar output) counts twice.
 */
export class UnpackBudget {
  used = 0;
  constructor(readonly max: number) {}

  take(n: number, layerDigest?: string, image?: string): void {
    this.used += n;
    if (this.used > this.max) {
      throw new LimitError('build-bytes', this.max, `the images of this build decompress to more than ${this.max} bytes (the limit per build)`, { layerDigest, image });
    }
  }
}

/**
 * Refuses an image before its layers are fetched when their compressed size alone is over the
 * per-image limit (no layer decompresses to fewer bytes than it has, less a little gzip framing).
 */
export function checkCompressedSize(ref: string, layers: Pick<Descriptor, 'size'>[], maxBytes: number): void {
  const compressed = layers.reduce((n, l) => n + (l.size > 0 ? l.size : 0), 0);
  if (compressed > maxBytes * 1.01 + (1 << 20)) {
    throw new LimitError('image-bytes', maxBytes, `image ${ref} has ${compressed} bytes of compressed layers, more than the ${maxBytes}-byte limit per image`);
  }
}

/**
 * The normalised relative path of an archive entry name, or null for the root itself ("./", "/").
 * Throws ArchiveError for names that could point outside the root.
 */
export function normaliseEntryName(name: string, ctx: { layerDigest?: string; limits?: Pick<FlattenLimits, 'maxPathBytes'> } = {}): string | null {
  const max = ctx.limits?.maxPathBytes ?? DEFAULT_LIMITS.maxPathBytes;
  if (name.includes('\u0000')) throw new ArchiveError('entry name contains a NUL byte', { layerDigest: ctx.layerDigest, entry: name });
  if (Buffer.byteLength(name) > max) throw new ArchiveError(`entry name is longer than ${max} bytes`, { layerDigest: ctx.layerDigest, entry: name.slice(0, 200) });
  const parts: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw new ArchiveError('entry name contains ".." (path traversal); the layer is refused', { layerDigest: ctx.layerDigest, entry: name });
    parts.push(seg);
  }
  return parts.length ? parts.join('/') : null;
}

/** Proper ancestors of a normalised path, root ('') first: "a/b/c" → ['', 'a', 'a/b']. */
export function ancestors(path: string): string[] {
  const out = [''];
  let i = path.indexOf('/');
  while (i !== -1) {
    out.push(path.slice(0, i));
    i = path.indexOf('/', i + 1);
  }
  return out;
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}
