import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FsEntry } from '../oci/entry';
import { ArchiveError } from '../oci/errors';
import { makeImage, memorySource } from '../testing/image';
import { extractToDir } from './extract';
import { flattenImage } from './flatten';
import { tempDirs } from '../testing/tmp';

const dirs = tempDirs('extract-');
const tmp = dirs.make;
afterAll(dirs.cleanup);

const file = (path: string, text: string, mode = 0o644): FsEntry => ({ path, type: 'file', mode, uid: 0, gid: 0, size: text.length, content: Buffer.from(text) });

describe('extractToDir', () => {
  it('writes a flattened image with modes, symlinks and hard links', async () => {
    const img = await makeImage({
      files: { 'bin/busybox': { content: 'bb', mode: 0o755 }, 'bin/sh': { linkname: 'busybox' }, 'etc/ro': { type: 'dir', mode: 0o555 }, 'etc/ro/f': 'in ro dir' },
    });
    const dir = tmp();
    const r = await extractToDir(flattenImage(memorySource(img)), join(dir, 'root'));
    expect(r.entries).toBe(6);
    expect(readFileSync(join(dir, 'root/bin/busybox'), 'utf8')).toBe('bb');
    expect(statSync(join(dir, 'root/bin/busybox')).mode & 0o7777).toBe(0o755);
    expect(readlinkSync(join(dir, 'root/bin/sh'))).toBe('busybox');
    expect(statSync(join(dir, 'root/etc/ro')).mode & 0o7777).toBe(0o555);
    expect(readFileSync(join(dir, 'root/etc/ro/f'), 'utf8')).toBe('in ro dir');
  });

  it('refuses to write through an absolute symlink that points outside', async () => {
    const base = tmp();
    const outside = join(base, 'outside');
    const entries: FsEntry[] = [
      { path: 'escape', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkname: outside },
      { path: 'escape', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 },
      file('escape/pwned', 'x'),
    ];
    // A symlink replaced by a directory entry is removed first, so the file lands inside.
    await extractToDir(entries, join(base, 'root'));
    expect(existsSync(outside)).toBe(false);
    expect(readFileSync(join(base, 'root/escape/pwned'), 'utf8')).toBe('x');

    const base2 = tmp();
    const e = await extractToDir(
      [{ path: 'escape', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkname: base2 }, file('escape/pwned', 'x')],
      join(base2, 'root'),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ArchiveError);
    expect((e as Error).message).toMatch(/refusing to write through "escape", which is a symlink/);
    expect(readdirSync(base2)).toEqual(['root']);
  });

  it('replaces a symlink with a file instead of writing to its target', async () => {
    const base = tmp();
    writeFileSync(join(base, 'victim'), 'untouched');
    await extractToDir([{ path: 'x', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkname: join(base, 'victim') }, file('x', 'new')], join(base, 'root'));
    expect(readFileSync(join(base, 'victim'), 'utf8')).toBe('untouched');
    expect(lstatSync(join(base, 'root/x')).isFile()).toBe(true);
  });

  it('refuses names and hard links that leave the directory', async () => {
    const base = tmp();
    await expect(extractToDir([file('../outside', 'x')], join(base, 'root'))).rejects.toThrow(/path traversal/);
    await expect(
      extractToDir([{ path: 'pw', type: 'hardlink', mode: 0o644, uid: 0, gid: 0, size: 0, linkname: '../../../etc/passwd' }], join(base, 'root')),
    ).rejects.toThrow(/path traversal/);
    expect(readdirSync(base)).toEqual(['root']);
  });
});
