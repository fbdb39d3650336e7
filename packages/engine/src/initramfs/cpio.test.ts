import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, lstatSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { requireHostTool } from '../../../../scripts/lib/host-packages.mjs';
import type { FsEntry } from '../oci/entry';
import { cpioRecords, dedupe, parseCpio, trailer } from './cpio';
import { sectionArchive, trailerArchive, MEMBER_BYTES } from './index';

const f = (path: string, content: string | Buffer, mode = 0o644, uid = 0, gid = 0): FsEntry => {
  const b = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { path, type: 'file', mode, uid, gid, size: b.length, content: b };
};
const d = (path: string, mode = 0o755): FsEntry => ({ path, type: 'dir', mode, uid: 0, gid: 0, size: 0 });

async function bytes(entries: FsEntry[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of cpioRecords(entries, { mtime: 0, inoBase: 1 })) parts.push(b);
  return Buffer.concat(parts);
}

describe('newc cpio writer', () => {
  it('writes records the reader and GNU cpio read back: modes, owners, symlinks, devices, fifos', async () => {
    const buf = await bytes([
      d('etc'), f('etc/passwd', 'root:x:0:0\n', 0o644, 0, 0), f('bin-suid', 'x', 0o4755, 5, 6),
      { path: 'etc/mtab', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkname: '/proc/mounts' },
      { path: 'dev-null', type: 'char', mode: 0o666, uid: 0, gid: 0, size: 0, devmajor: 1, devminor: 3 },
      { path: 'pipe', type: 'fifo', mode: 0o600, uid: 0, gid: 0, size: 0 },
    ]);
    expect(buf.length % 4).toBe(0);
    const m = parseCpio(Buffer.concat([buf, trailer()]));
    expect(m.map((x) => x.name)).toEqual(['etc', 'etc/passwd', 'bin-suid', 'etc/mtab', 'dev-null', 'pipe']);
    expect(m[1]!.data.toString()).toBe('root:x:0:0\n');
    expect(m[2]!.mode).toBe(0o104755);
    expect([m[2]!.uid, m[2]!.gid]).toEqual([5, 6]);
    expect(m[3]!.mode & 0o170000).toBe(0o120000);
    expect(m[3]!.data.toString()).toBe('/proc/mounts');
    expect([m[4]!.mode & 0o170000, m[4]!.devmajor, m[4]!.devminor]).toEqual([0o020000, 1, 3]);
    const listing = execFileSync(requireHostTool('cpio'), ['-itv', '--quiet', '--numeric-uid-gid'], { input: Buffer.concat([buf, trailer()]) }).toString();
    expect(listing).toMatch(/-rwsr-xr-x +1 5 +6 +1 Jan  1 +1970 bin-suid/);
    expect(listing).toMatch(/lrwxrwxrwx .* etc\/mtab -> \/proc\/mounts/);
  });

  it('writes hard links with a shared inode and the data once, which cpio -i links up', async () => {
    const buf = await bytes([d('bin'), f('bin/busybox', 'BUSYBOX', 0o755), { path: 'bin/sh', type: 'hardlink', mode: 0o755, uid: 0, gid: 0, size: 0, linkname: 'bin/busybox' }]);
    const m = parseCpio(buf);
    const bb = m.find((x) => x.name === 'bin/busybox')!;
    const sh = m.find((x) => x.name === 'bin/sh')!;
    expect(sh.ino).toBe(bb.ino);
    expect([bb.nlink, sh.nlink]).toEqual([2, 2]);
    expect([bb.size, sh.size]).toEqual([7, 0]);
    const dir = mkdtempSync(join(tmpdir(), 'cpio-'));
    try {
      execFileSync(requireHostTool('cpio'), ['-idm', '--quiet'], { cwd: dir, input: Buffer.concat([buf, trailer()]) });
      expect(readFileSync(join(dir, 'bin/sh'), 'utf8')).toBe('BUSYBOX');
      expect(lstatSync(join(dir, 'bin/sh')).ino).toBe(lstatSync(join(dir, 'bin/busybox')).ino);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps one record per path, the last one, directories in their first place', () => {
    const out = dedupe([d('etc'), f('etc/hosts', 'a'), d('etc', 0o700), f('etc/hosts', 'b'), f('x', '1')]);
    expect(out.map((e) => [e.path, e.mode])).toEqual([['etc', 0o700], ['etc/hosts', 0o644], ['x', 0o644]]);
    expect((out[1]!.content as Buffer).toString()).toBe('b');
  });

  it('concatenated section archives without inner trailers unpack as one archive with zcat | cpio', async () => {
    const big = Buffer.alloc(MEMBER_BYTES + 1000, 'a');
    const dir = mkdtempSync(join(tmpdir(), 'cpio-'));
    try {
      await sectionArchive((async function* () { yield d('one'); yield f('one/big', big); yield f('one/small', 's'); })(), { compression: 'gzip', mtime: 0, inoBase: 1 }, join(dir, 'a'));
      await sectionArchive((async function* () { yield d('two'); yield f('two/file', 'two'); })(), { compression: 'gzip', mtime: 0, inoBase: 1000 }, join(dir, 'b'));
      const a = { archive: readFileSync(join(dir, 'a')) };
      const b = { archive: readFileSync(join(dir, 'b')) };
      const initrd = Buffer.concat([a.archive, b.archive, await trailerArchive('gzip')]);
      // the big section was cut into two gzip members
      expect(a.archive.subarray(10).indexOf(Buffer.from([0x1f, 0x8b, 0x08]))).toBeGreaterThan(0);
      writeFileSync(join(dir, 'initrd.img'), initrd);
      execFileSync('sh', ['-c', 'mkdir root && cd root && zcat ../initrd.img | cpio -idm --quiet'], { cwd: dir });
      expect(readFileSync(join(dir, 'root/two/file'), 'utf8')).toBe('two');
      expect(readFileSync(join(dir, 'root/one/big')).length).toBe(big.length);
      expect(parseCpio(gunzipSync(initrd)).map((x) => x.name)).toEqual(['one', 'one/big', 'one/small', 'two', 'two/file']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
