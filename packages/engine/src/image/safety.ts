// Rules for entry names and sizes in layers written by strangers. Decision: a leading '/' is
// stripped (the name is relative to the image root, as Docker treats it); any '..' segment, a NUL
// byte or an over-long name is refused. Symlink targets are kept verbatim (absolute links such as
// /bin/sh → /bin/busybox are normal in images): they are only dangerous when something writes to
// disk through them, which extractToDir refuses.

import { ArchiveError } from '../oci/errors';

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
