// Pure assembly of an image's filesystem from package contents and recipe extras: later
// sources override earlier ones, keep/drop globs filter, missing parent directories are added,
// and the result is sorted so the layer tar is byte-for-byte reproducible.

import type { FsEntry } from '@oscompose/engine';
import { matcher } from './glob';

export function normalisePath(p: string): string {
  return p.replace(/^\.?\/+/, '').replace(/^\.$/, '').replace(/\/+$/, '');
}

/** Hardlinks become plain copies: keep/drop may remove the target, and copies cost little here. */
export function resolveHardlinks(entries: FsEntry[]): FsEntry[] {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  return entries.map((e) => {
    if (e.type !== 'hardlink') return e;
    const t = byPath.get(normalisePath(e.linkname ?? ''));
    if (!t || t.type !== 'file') return e;
    return { ...e, type: 'file', size: t.size, content: t.content, linkname: undefined };
  });
}

export function filterEntries(entries: FsEntry[], keep: string[] | undefined, drop: string[]): FsEntry[] {
  const k = matcher(keep);
  const d = drop.length ? matcher(drop) : () => false;
  // Directories are kept only when something below them is (or they match keep themselves
  // and keep is not given): the parent pass below re-adds the ones needed.
  return entries.filter((e) => (e.type === 'dir' ? !keep && !d(e.path) : k(e.path) && !d(e.path)));
}

export function mergeLayers(...sources: FsEntry[][]): FsEntry[] {
  const map = new Map<string, FsEntry>();
  for (const src of sources) for (const e of src) map.set(e.path, e);
  return [...map.values()];
}

/** Adds the parent directories an entry list needs, taking modes from `known` when it has them. */
export function withParents(entries: FsEntry[], known: FsEntry[] = []): FsEntry[] {
  const have = new Map(entries.map((e) => [e.path, e]));
  const dirs = new Map(known.filter((e) => e.type === 'dir').map((e) => [e.path, e]));
  for (const e of [...have.values()]) {
    const parts = e.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (have.has(p)) continue;
      have.set(p, dirs.get(p) ?? { path: p, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 });
    }
  }
  return sortByPath([...have.values()]);
}

export function sortByPath(entries: FsEntry[]): FsEntry[] {
  return [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}
