// Filesystem entries from a directory in the repository (our init's files), modes as checked
// in (git keeps the executable bit), owner root.

import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { FsEntry } from '@oscompose/engine';

export async function treeEntries(root: string): Promise<FsEntry[]> {
  const out: FsEntry[] = [];
  const walk = async (dir: string) => {
    for (const name of (await readdir(dir)).sort()) {
      const abs = join(dir, name);
      const st = await lstat(abs);
      const path = relative(root, abs);
      if (st.isDirectory()) {
        out.push({ path, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 });
        await walk(abs);
      } else if (st.isSymbolicLink()) {
        out.push({ path, type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkname: await readlink(abs) });
      } else if (st.isFile()) {
        const content = await readFile(abs);
        // Only the executable bit is meaningful from a checkout (umask differs between clones).
        out.push({ path, type: 'file', mode: st.mode & 0o111 ? 0o755 : 0o644, uid: 0, gid: 0, size: content.length, content });
      }
    }
  };
  await walk(root);
  return out;
}
