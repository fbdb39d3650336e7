import { describe, expect, it } from 'vitest';
import type { FsEntry } from '@oscompose/engine';
import { globToRegExp } from './glob';
import { filterEntries, mergeLayers, normalisePath, resolveHardlinks, withParents } from './rootfs';

const file = (path: string, content = 'x'): FsEntry => ({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, content: Buffer.from(content) });
const dir = (path: string, mode = 0o755): FsEntry => ({ path, type: 'dir', mode, uid: 0, gid: 0, size: 0 });

describe('recipe filesystem assembly', () => {
  it('globs: * stays in a segment, ** crosses, a directory pattern keeps what is below', () => {
    expect(globToRegExp('usr/lib/*/libseccomp.so.2*').test('usr/lib/x86_64-linux-gnu/libseccomp.so.2.5.4')).toBe(true);
    expect(globToRegExp('usr/*').test('usr/lib/x')).toBe(true);
    expect(globToRegExp('bin/busybox').test('bin/busybox2')).toBe(false);
    expect(globToRegExp('**/*.ko').test('lib/modules/6.1/kernel/fs/overlay.ko')).toBe(true);
  });

  it('keeps only the kept paths, with their parents (modes from the package), sorted', () => {
    const deb = [dir('bin'), file('bin/busybox'), dir('usr', 0o700), dir('usr/share'), file('usr/share/doc/x')];
    const out = withParents(filterEntries(deb, ['bin/busybox', 'usr/share/doc'], ['usr/share/doc/x']), deb);
    expect(out.map((e) => e.path)).toEqual(['bin', 'bin/busybox']);
    const out2 = withParents(filterEntries(deb, ['usr/share/doc/**'], []), deb);
    expect(out2.map((e) => [e.path, e.mode])).toEqual([['usr', 0o700], ['usr/share', 0o755], ['usr/share/doc', 0o755], ['usr/share/doc/x', 0o644]]);
  });

  it('later sources override earlier ones; hardlinks become copies', () => {
    const merged = mergeLayers([file('a', 'old')], [file('a', 'new')]);
    expect(String(merged[0]!.content)).toBe('new');
    const h = resolveHardlinks([file('t', 'data'), { path: 'l', type: 'hardlink', mode: 0o644, uid: 0, gid: 0, size: 0, linkname: 't' }]);
    expect(h[1]).toMatchObject({ type: 'file', size: 4 });
  });

  it('normalises dpkg tar names', () => {
    expect(normalisePath('./usr/bin/')).toBe('usr/bin');
    expect(normalisePath('./')).toBe('');
  });
});
