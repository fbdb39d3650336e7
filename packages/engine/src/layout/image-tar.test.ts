import { describe, expect, it } from 'vitest';
import type { FsEntry } from '../oci/entry';
import { imageTar, RESOLV_SYMLINK } from './image-tar';

// Pins LinuxKit's moby/build/image.go ImageTar() as it sees images: through go-containerregistry's
// mutate.Extract, whose names are filepath.Clean'ed (no trailing slash on directories).
const d = (path: string, mode = 0o755, uid = 0): FsEntry => ({ path, type: 'dir', mode, uid, gid: uid, size: 0 });
const f = (path: string, content = 'x', mode = 0o644, uid = 0): FsEntry => ({ path, type: 'file', mode, uid, gid: uid, size: content.length, content: Buffer.from(content) });

async function run(entries: FsEntry[], prefix = '', resolvSymlink?: string) {
  async function* src() {
    yield* entries;
  }
  const out: string[] = [];
  for await (const e of imageTar(src(), { prefix, resolvSymlink })) {
    const what = e.type === 'symlink' ? `-> ${e.linkname}` : e.type === 'file' ? JSON.stringify(String(e.content)) : e.type === 'hardlink' ? `=> ${e.linkname}` : '';
    out.push(`${e.type} ${e.path} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${what}`.trimEnd());
  }
  return out;
}

describe('imageTar (LinuxKit ImageTar)', () => {
  it('adds every missing touch entry at the end, in sorted order, under the prefix dirs', async () => {
    expect(await run([f('bin/sh', 'sh', 0o755)], 'containers/onboot/000-a/lower/')).toEqual([
      'dir containers 755 0:0', 'dir containers/onboot 755 0:0', 'dir containers/onboot/000-a 755 0:0', 'dir containers/onboot/000-a/lower 755 0:0',
      'file containers/onboot/000-a/lower/bin/sh 755 0:0 "sh"',
      'dir containers/onboot/000-a/lower/dev 755 0:0',
      'dir containers/onboot/000-a/lower/dev/pts 755 0:0',
      'dir containers/onboot/000-a/lower/dev/shm 755 0:0',
      'dir containers/onboot/000-a/lower/etc 755 0:0',
      `file containers/onboot/000-a/lower/etc/hosts 644 0:0 ${JSON.stringify('127.0.0.1       localhost\n::1     localhost ip6-localhost ip6-loopback\nfe00::0 ip6-localnet\nff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n')}`,
      'symlink containers/onboot/000-a/lower/etc/mtab 755 0:0 -> /proc/mounts',
      `file containers/onboot/000-a/lower/etc/resolv.conf 644 0:0 ${JSON.stringify('\n# no resolv.conf configured\n')}`,
      'dir containers/onboot/000-a/lower/proc 755 0:0',
      'dir containers/onboot/000-a/lower/sys 755 0:0',
    ]);
  });

  it('forces dev, etc, proc and sys to 0755 root (the touch entry LinuxKit always re-adds), keeps other dirs', async () => {
    // Alpine ships /proc and /sys 0555; LinuxKit's touch entries win.
    const out = await run([d('etc', 0o775, 5), f('etc/passwd', 'p'), d('proc', 0o555), d('sys', 0o555), d('dev'), d('var', 0o700, 7), f('etc/mtab', 'm')]);
    expect(out).toEqual([
      'dir etc 755 0:0', 'file etc/passwd 644 0:0 "p"', 'dir proc 755 0:0', 'dir sys 755 0:0', 'dir dev 755 0:0', 'dir var 700 7:7', 'file etc/mtab 644 0:0 "m"',
      'dir dev/pts 755 0:0', 'dir dev/shm 755 0:0',
      out.find((l) => l.startsWith('file etc/hosts '))!,
      'file etc/resolv.conf 644 0:0 "\\n# no resolv.conf configured\\n"',
    ]);
  });

  it('drops .dockerenv, Dockerfile, etc/hostname and dev/console, and dev/pts + dev/shm even as directories', async () => {
    const out = await run([d('dev'), d('dev/pts', 0o700), d('dev/shm', 0o1777), { path: 'dev/console', type: 'char', mode: 0o600, uid: 0, gid: 0, size: 0, devmajor: 5, devminor: 1 }, f('.dockerenv'), f('Dockerfile'), f('etc/hostname')]);
    expect(out.filter((l) => / dev\/(pts|shm|console) /.test(l) || /dockerenv|Dockerfile|hostname/.test(l))).toEqual(['dir dev/pts 755 0:0', 'dir dev/shm 755 0:0']);
  });

  it('replaces etc/hosts and etc/resolv.conf (0644 root), and makes resolv.conf a symlink for init images', async () => {
    const out = await run([d('etc'), f('etc/hosts', 'mine', 0o600, 3), f('etc/resolv.conf', 'nameserver 1.1.1.1', 0o600)], '', RESOLV_SYMLINK);
    expect(out.filter((l) => l.includes('etc/hosts') || l.includes('resolv'))).toEqual([
      out.find((l) => l.startsWith('file etc/hosts 644 0:0 "127.0.0.1'))!,
      'symlink etc/resolv.conf 644 0:0 -> /run/resolvconf/resolv.conf',
    ]);
    expect((await run([])).filter((l) => l.includes('resolv'))).toEqual(['file etc/resolv.conf 644 0:0 "\\n# no resolv.conf configured\\n"']);
  });

  it('moves hard link targets under the prefix', async () => {
    const out = await run([f('bin/a'), { path: 'bin/b', type: 'hardlink', mode: 0o644, uid: 0, gid: 0, size: 0, linkname: 'bin/a' }], 'x/lower/');
    expect(out).toContain('hardlink x/lower/bin/b 644 0:0 => x/lower/bin/a');
  });
});
