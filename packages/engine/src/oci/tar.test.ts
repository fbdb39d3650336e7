import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, lstatSync, readlinkSync } from 'node:fs';

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FsEntry } from './entry';
import { readTar, sortEntries, tarBuffer } from './tar';
import { tempDirs } from '../testing/tmp';

const dirs = tempDirs('tar-test-');
const tmp = dirs.make;
afterAll(dirs.cleanup);

async function* once(b: Buffer) {
  // Odd chunk sizes exercise the reader's buffering.
  for (let i = 0; i < b.length; i += 333) yield b.subarray(i, i + 333);
}

async function readAll(tar: Buffer) {
  const out: { name: string; type: string; mode: number; uid: number; gid: number; linkname: string; data: string; mtime: number }[] = [];
  for await (const m of readTar(once(tar))) {
    const chunks: Buffer[] = [];
    for await (const c of m.content) chunks.push(c);
    out.push({ name: m.name, type: m.type, mode: m.mode, uid: m.uid, gid: m.gid, linkname: m.linkname, data: Buffer.concat(chunks).toString(), mtime: m.mtime });
  }
  return out;
}

const longDir = 'a'.repeat(120) + '/' + 'b'.repeat(90);
const veryLong = 'd/'.repeat(100) + 'file-with-a-long-name';

const entries: FsEntry[] = [
  { path: 'etc', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 },
  { path: 'etc/hostname', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 6, content: Buffer.from('linux\n') },
  { path: 'bin/sh', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkname: '/bin/busybox' },
  { path: 'bin/ash', type: 'hardlink', mode: 0o755, uid: 0, gid: 0, size: 0, linkname: 'bin/busybox' },
  { path: 'usr/sbin/su', type: 'file', mode: 0o4755, uid: 1000, gid: 3000000, size: 3, content: Buffer.from('su!') },
  { path: longDir, type: 'file', mode: 0o600, uid: 0, gid: 0, size: 1, content: Buffer.from('x') },
  { path: veryLong, type: 'file', mode: 0o600, uid: 0, gid: 0, size: 2, content: Buffer.from('yz') },
  { path: 'link-long', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkname: '/'.padEnd(150, 'q') },
  { path: 'dev/null', type: 'char', mode: 0o666, uid: 0, gid: 0, size: 0, devmajor: 1, devminor: 3 },
  { path: 'ünïcode', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, content: Buffer.alloc(0) },
];

describe('tar writer', () => {
  it('round-trips through our reader: names, long names, links, modes, ids', async () => {
    const tar = await tarBuffer(entries, { mtime: 1234 });
    const got = await readAll(tar);
    expect(got.map((g) => g.name)).toEqual(['etc/', 'etc/hostname', 'bin/sh', 'bin/ash', 'usr/sbin/su', longDir, veryLong, 'link-long', 'dev/null', 'ünïcode']);
    expect(got[1]).toMatchObject({ type: 'file', mode: 0o644, data: 'linux\n', mtime: 1234 });
    expect(got[2]).toMatchObject({ type: 'symlink', linkname: '/bin/busybox' });
    expect(got[3]).toMatchObject({ type: 'hardlink', linkname: 'bin/busybox' });
    expect(got[4]).toMatchObject({ mode: 0o4755, uid: 1000, gid: 3000000, data: 'su!' });
    expect(got[6]!.data).toBe('yz');
    expect(got[7]!.linkname).toBe('/'.padEnd(150, 'q'));
  });

  it('is deterministic: same entries, same bytes', async () => {
    const a = await tarBuffer(entries, { mtime: 0 });
    const b = await tarBuffer(entries.map((e) => ({ ...e })), { mtime: 0 });
    expect(a.equals(b)).toBe(true);
    expect(a.length % 512).toBe(0);
  });

  it('is read by GNU tar with the same names, modes and content', async () => {
    const dir = tmp();
    const tar = await tarBuffer(entries.filter((e) => e.type !== 'char' && e.type !== 'hardlink'), { mtime: 0 });
    writeFileSync(join(dir, 'x.tar'), tar);
    const list = execFileSync('tar', ['-tvf', join(dir, 'x.tar')]).toString();
    expect(list).toContain(veryLong);
    expect(list).toContain('-rwsr-xr-x 1000/3000000');
    execFileSync('mkdir', ['-p', join(dir, 'out')]);
    execFileSync('tar', ['-xf', join(dir, 'x.tar'), '-C', join(dir, 'out')]);
    expect(readFileSync(join(dir, 'out', veryLong), 'utf8')).toBe('yz');
    expect(lstatSync(join(dir, 'out/bin/sh')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'out/bin/sh'))).toBe('/bin/busybox');
  });

  it('refuses content that does not match the declared size', async () => {
    await expect(tarBuffer([{ path: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 10, content: Buffer.from('short') }])).rejects.toThrow(/fewer bytes/);
  });

  it('sortEntries puts parents before children', () => {
    const s = sortEntries([{ path: 'a/b' }, { path: 'a-b' }, { path: 'a' }]).map((e) => e.path);
    expect(s.indexOf('a')).toBeLessThan(s.indexOf('a/b'));
  });
});

describe('tar reader', () => {
  it('reads archives written by GNU tar (ustar, long names, hard links)', async () => {
    const dir = tmp();
    execFileSync('sh', ['-c', `mkdir -p src/${'x'.repeat(150)} && echo hi > src/${'x'.repeat(150)}/f && ln src/${'x'.repeat(150)}/f src/hl && ln -s f src/sl`], { cwd: dir });
    for (const fmt of ['gnu', 'pax', 'ustar']) {
      if (fmt === 'ustar') continue; // 150-char component does not fit ustar
      execFileSync('tar', [`--format=${fmt}`, '-cf', `${fmt}.tar`, '-C', 'src', '.'], { cwd: dir });
      const got = await readAll(readFileSync(join(dir, `${fmt}.tar`)));
      const f = got.find((g) => g.name.endsWith('/f'));
      expect(f?.data, fmt).toBe('hi\n');
      const hl = got.find((g) => g.name.endsWith('hl') || g.type === 'hardlink');
      expect(hl?.type === 'hardlink' || hl?.data === 'hi\n', fmt).toBe(true);
      expect(got.find((g) => g.name === './sl')).toMatchObject({ type: 'symlink', linkname: 'f' });
    }
  });

  it('reads GNU base-256 ids and GNU long link names', async () => {
    const dir = tmp();
    const target = 'x'.repeat(150);
    execFileSync('sh', ['-c', `mkdir src && echo hi > src/f && ln -s ${target} src/longlink && tar --format=gnu --owner=big:3000000 --group=big:3000001 -cf g.tar -C src .`], { cwd: dir });
    const got = await readAll(readFileSync(join(dir, 'g.tar')));
    expect(got.find((g) => g.name === './f')).toMatchObject({ uid: 3000000, gid: 3000001, data: 'hi\n' });
    expect(got.find((g) => g.name === './longlink')).toMatchObject({ type: 'symlink', linkname: target });
  });

  it('fails clearly on a corrupt header and on truncation', async () => {
    const tar = await tarBuffer(entries.slice(0, 2));
    const bad = Buffer.from(tar);
    bad[0] = 0x41;
    await expect(readAll(bad)).rejects.toThrow(/checksum/);
    await expect(readAll(tar.subarray(0, 512 + 3))).rejects.toThrow(/truncated/);
  });

  it('skips unread content', async () => {
    const tar = await tarBuffer(entries);
    const names: string[] = [];
    for await (const m of readTar(once(tar))) names.push(m.name);
    expect(names).toHaveLength(entries.length);
  });
});
