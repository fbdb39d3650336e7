// Writing a stream of FsEntry into a directory without ever writing outside it: every parent is
// checked with lstat to be a real directory (never followed through a symlink), files are created
// with O_EXCL|O_NOFOLLOW after removing whatever was there, hard links must stay inside.

import { constants } from 'node:fs';
import { chmod, lchown, link, lstat, mkdir, open, rm, symlink, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FsEntry } from '../oci/entry';
import { ArchiveError } from '../oci/errors';
import { normaliseEntryName } from './safety';

export interface ExtractOptions {
  /** Set owners (only possible as root). Default: when running as root. */
  chown?: boolean;
  /** mtime (seconds) for every entry written; default: keep none (the current time). */
  mtime?: number;
}

export interface ExtractResult {
  entries: number;
  /** Entries that cannot be made without privileges (devices) and were skipped. */
  skipped: string[];
}

/** Extracts entries under `dir` (created if needed). Throws ArchiveError on any escape attempt. */
export async function extractToDir(entries: AsyncIterable<FsEntry> | Iterable<FsEntry>, dir: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const chownOk = opts.chown ?? process.getuid?.() === 0;
  const knownDirs = new Set<string>(['']);
  const dirModes: [string, number][] = [];
  const skipped: string[] = [];
  let count = 0;

  /** Makes sure every parent of rel is a real directory inside root (creating missing ones). */
  const ensureParents = async (rel: string, entryName: string) => {
    const parts = rel.split('/');
    let cur = '';
    for (let i = 0; i < parts.length - 1; i++) {
      cur = cur ? `${cur}/${parts[i]}` : parts[i]!;
      if (knownDirs.has(cur)) continue;
      const st = await lstat(join(root, cur)).catch(() => undefined);
      if (!st) await mkdir(join(root, cur), { mode: 0o755 });
      else if (!st.isDirectory()) {
        throw new ArchiveError(`refusing to write through "${cur}", which is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}`, { entry: entryName });
      }
      knownDirs.add(cur);
    }
  };

  /** Removes a non-directory at the target so nothing is ever written through it. */
  const clear = async (abs: string, keepDir: boolean) => {
    const st = await lstat(abs).catch(() => undefined);
    if (!st) return false;
    if (st.isDirectory()) {
      if (keepDir) return true;
      await rm(abs, { recursive: true, force: true });
      return false;
    }
    await rm(abs, { force: true });
    return false;
  };

  for await (const e of entries) {
    const rel = normaliseEntryName(e.path);
    if (rel === null) continue;
    await ensureParents(rel, e.path);
    const abs = join(root, rel);
    count++;
    switch (e.type) {
      case 'dir': {
        const exists = await clear(abs, true);
        if (!exists) await mkdir(abs, { mode: 0o700 });
        knownDirs.add(rel);
        dirModes.push([abs, e.mode]); // applied at the end so a 0555 directory can still be filled
        break;
      }
      case 'file': {
        await clear(abs, false);
        const fh = await open(abs, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        const content = e.content ?? Buffer.alloc(0);
        if (Buffer.isBuffer(content)) {
          await fh.writeFile(content);
          await fh.close();
        } else {
          await pipeline(content, fh.createWriteStream());
        }
        // chown clears setuid/setgid, so owners first, then the mode.
        if (chownOk) await lchown(abs, e.uid, e.gid).catch(() => {});
        await chmod(abs, e.mode & 0o7777);
        break;
      }
      case 'symlink': {
        await clear(abs, false);
        await symlink(e.linkname ?? '', abs);
        break;
      }
      case 'hardlink': {
        const target = normaliseEntryName(e.linkname ?? '');
        if (target === null) throw new ArchiveError('hard link to the root directory', { entry: e.path });
        await ensureParents(target, e.path);
        const tst = await lstat(join(root, target)).catch(() => undefined);
        if (!tst) throw new ArchiveError(`hard link target "${target}" does not exist`, { entry: e.path });
        if (tst.isDirectory()) throw new ArchiveError(`hard link to directory "${target}"`, { entry: e.path });
        await clear(abs, false);
        await link(join(root, target), abs);
        break;
      }
      default:
        // Devices and fifos need mknod (root, and not from Node); outputs write them from the
        // entry stream instead.
        skipped.push(rel);
        count--;
        continue;
    }
    // A hard link shares its target's inode: owner, mode and time are the target's.
    if (e.type === 'hardlink') continue;
    if (chownOk && e.type !== 'file') await lchown(abs, e.uid, e.gid).catch(() => {});
    if (opts.mtime !== undefined && e.type !== 'symlink') await utimes(abs, opts.mtime, opts.mtime);
  }
  for (const [abs, mode] of dirModes.reverse()) await chmod(abs, mode & 0o7777);
  return { entries: count, skipped };
}
