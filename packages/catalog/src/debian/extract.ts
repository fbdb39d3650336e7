// Reads a .deb's data archive as filesystem entries (dpkg-deb --fsys-tarfile, then the
// engine's tar reader), paths normalised and content held in memory.

import { spawn } from 'node:child_process';
import { readTar, type FsEntry } from '@oscompose/engine';
import { DebianError } from '../errors';
import { normalisePath } from '../recipe/rootfs';

export async function debEntries(debPath: string): Promise<FsEntry[]> {
  const p = spawn('dpkg-deb', ['--fsys-tarfile', debPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number>((resolve, reject) => {
    p.once('error', (e) => reject(new DebianError(`cannot run dpkg-deb: ${e.message}; apt-get install dpkg`, { cause: e })));
    p.once('close', (c) => resolve(c ?? 1));
  });
  const out: FsEntry[] = [];
  for await (const m of readTar(p.stdout as AsyncIterable<Buffer>, { layerDigest: debPath })) {
    const path = normalisePath(m.name);
    if (!path) continue;
    const chunks: Buffer[] = [];
    for await (const c of m.content) chunks.push(c);
    const e: FsEntry = { path, type: m.type, mode: m.mode & 0o7777, uid: m.uid, gid: m.gid, size: m.type === 'file' ? m.size : 0 };
    if (m.type === 'file') e.content = Buffer.concat(chunks);
    if (m.type === 'symlink') e.linkname = m.linkname;
    if (m.type === 'hardlink') e.linkname = normalisePath(m.linkname);
    if (m.type === 'char' || m.type === 'block') Object.assign(e, { devmajor: m.devmajor, devminor: m.devminor });
    out.push(e);
  }
  const code = await exit;
  if (code !== 0) throw new DebianError(`dpkg-deb --fsys-tarfile ${debPath} failed: ${stderr.trim()}; delete the cached file and rebuild`);
  return out;
}
