import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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

describe('agreement with GNU tar', () => {
  /** path → what a user would compare: type, mode, size, content, link target, hard-link group. */
  function snapshot(root: string): Record<string, string> {
    const out: Record<string, string> = {};
    const inodes = new Map<number, string>();
    const walk = (rel: string) => {
      for (const name of readdirSync(join(root, rel)).sort()) {
        const r = rel ? `${rel}/${name}` : name;
        const st = lstatSync(join(root, r));
        const mode = (st.mode & 0o7777).toString(8);
        if (st.isDirectory()) {
          out[r] = `dir ${mode}`;
          walk(r);
        } else if (st.isSymbolicLink()) out[r] = `symlink -> ${readlinkSync(join(root, r))}`;
        else {
          const first = inodes.get(st.ino);
          if (!first) inodes.set(st.ino, r);
          out[r] = `file ${mode} ${st.size} ${createHash('sha256').update(readFileSync(join(root, r))).digest('hex').slice(0, 12)}${first ? ` = ${first}` : ''}`;
        }
      }
    };
    walk('');
    return out;
  }

  it.each(['gnu', 'pax'])('flatten + extractToDir of a real tree (%s format) matches tar -x', async (format) => {
    const base = tmp();

    const deep = `deep/${'long-directory-name-'.repeat(6)}/${'x'.repeat(120)}`;
    execFileSync('sh', ['-c', [
      `mkdir -p src/etc src/bin src/usr/share src/ro src/${deep}`,
      'mkdir -p src/usr/share/zoneinfo && (cp -r /usr/share/zoneinfo/Europe src/usr/share/zoneinfo/ 2>/dev/null || cp -r /usr/share/doc/coreutils src/usr/share/)',
      'printf "#!/bin/sh\\necho hi\\n" > src/bin/busybox && chmod 4755 src/bin/busybox',
      'ln src/bin/busybox src/bin/ls && ln src/bin/busybox src/bin/cat',
      'ln -s /bin/busybox src/bin/sh && ln -s ../usr/share src/etc/share',
      `echo deep > src/${deep}/file && ln -s ${'t'.repeat(140)} src/${deep}/longlink`,
      'echo ro > src/ro/f && chmod 0555 src/ro && chmod 0600 src/etc',
    ].join(' && ')], { cwd: base });
    execFileSync('tar', [`--format=${format}`, '--sort=name', '-czf', 'layer.tar.gz', '-C', 'src', '.'], { cwd: base });
    execFileSync('mkdir', ['gnu'], { cwd: base });
    execFileSync('tar', ['-xzf', 'layer.tar.gz', '-C', 'gnu'], { cwd: base });
    const raw = execFileSync('gzip', ['-dc', join(base, 'layer.tar.gz')], { maxBuffer: 1 << 30 });
    const img = await makeImage({ layers: [raw] });
    for (const onePass of [true, false]) {
      const out = join(base, `ours-${onePass}`);
      await extractToDir(flattenImage(memorySource(img), { onePass }), out);
      const ours = snapshot(out);
      const theirs = snapshot(join(base, 'gnu'));
      expect(Object.keys(ours).length).toBeGreaterThan(20);
      expect(ours).toEqual(theirs);
    }
    execFileSync('chmod', ['-R', 'u+w', base]);
  });
});
