// An image's flattened file system placed at a prefix with the adjustments `linuxkit build` makes
// (moby ImageTar): Docker artefacts dropped, etc/hosts and etc/resolv.conf replaced, and the
// mount points and files every container needs created when the image lacks them.
import type { FsEntry } from '../oci/entry';

const EXCLUDE = new Set(['.dockerenv', 'Dockerfile', 'dev/console', 'dev/pts', 'dev/shm', 'etc/hostname']);

export const HOSTS = `127.0.0.1       localhost
::1     localhost ip6-localhost ip6-loopback
fe00::0 ip6-localnet
ff00::0 ip6-mcastprefix
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
`;
export const RESOLV_CONF = `
# no resolv.conf configured
`;
/** Init and volume images get /etc/resolv.conf as a symlink to a writable place instead. */
export const RESOLV_SYMLINK = '/run/resolvconf/resolv.conf';

const REPLACE: Record<string, string> = { 'etc/hosts': HOSTS, 'etc/resolv.conf': RESOLV_CONF };

interface Touch {
  type: 'dir' | 'file' | 'symlink';
  mode: number;
  linkname?: string;
}
// Keyed as LinuxKit keys them: directories with a trailing slash, in sorted order.
const TOUCH: [string, Touch][] = [
  ['dev/', { type: 'dir', mode: 0o755 }],
  ['dev/pts/', { type: 'dir', mode: 0o755 }],
  ['dev/shm/', { type: 'dir', mode: 0o755 }],
  ['etc/', { type: 'dir', mode: 0o755 }],
  ['etc/hosts', { type: 'file', mode: 0o644 }],
  ['etc/mtab', { type: 'symlink', mode: 0o755, linkname: '/proc/mounts' }],
  ['etc/resolv.conf', { type: 'file', mode: 0o644 }],
  ['proc/', { type: 'dir', mode: 0o755 }],
  ['sys/', { type: 'dir', mode: 0o755 }],
];

const TOUCH_DIRS = new Set(TOUCH.filter(([, t]) => t.type === 'dir').map(([k]) => k.replace(/\/$/, '')));

/** Directory entries for each component of prefix ("a/b/c/" → a, a/b, a/b/c), root-owned 0755. */
export function prefixDirs(prefix: string): FsEntry[] {
  const out: FsEntry[] = [];
  const parts = prefix.replace(/\/+$/, '').split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) out.push(dir(parts.slice(0, i).join('/'), 0o755));
  return out;
}

export function dir(path: string, mode: number, uid = 0, gid = 0): FsEntry {
  return { path, type: 'dir', mode, uid, gid, size: 0 };
}
export function file(path: string, content: Buffer | string, mode: number, uid = 0, gid = 0): FsEntry {
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  return { path, type: 'file', mode, uid, gid, size: buf.length, content: buf };
}
export function symlink(path: string, target: string, mode = 0o777, uid = 0, gid = 0): FsEntry {
  return { path, type: 'symlink', mode, uid, gid, size: 0, linkname: target };
}

export interface ImageTarOptions {
  /** Where the image goes: '' for /, else a relative directory ending in '/'. */
  prefix: string;
  /** Make etc/resolv.conf a symlink to this (init and volume images). */
  resolvSymlink?: string;
}

/**
 * Yields the image's entries under prefix, adjusted as LinuxKit does. Entry contents stream
 * through untouched (each is consumed before the next entry is requested).
 */
export async function* imageTar(entries: AsyncIterable<FsEntry>, opts: ImageTarOptions): AsyncGenerator<FsEntry> {
  const { prefix, resolvSymlink } = opts;
  yield* prefixDirs(prefix);
  const found = new Set<string>();
  for await (const e of entries) {
    // LinuxKit reads images through go-containerregistry's mutate.Extract, which Cleans every
    // name: directories arrive without their trailing slash. So `dev/pts` and `dev/shm`
    // directories match the exclude list, and the touch keys of directories ("dev/", "etc/", …)
    // never match: those six directories are always written again at the end, 0755 root.
    if (EXCLUDE.has(e.path)) continue;
    if (e.type === 'dir' && TOUCH_DIRS.has(e.path)) {
      // Same final state as LinuxKit's image entry followed by its touch entry, in one record.
      found.add(`${e.path}/`);
      yield dir(prefix + e.path, 0o755);
      continue;
    }
    const key = e.path;
    const replacement = REPLACE[e.path];
    if (replacement !== undefined && e.type !== 'dir') {
      // LinuxKit writes the replacement here and, not counting it as present, the touch entry
      // (0644 root) again at the end; one entry with that final state unpacks the same.
      found.add(key);
      if (e.path === 'etc/resolv.conf' && resolvSymlink) yield symlink(prefix + e.path, resolvSymlink, 0o644);
      else yield file(prefix + e.path, replacement, 0o644);
      continue;
    }
    if (key === 'etc/mtab') found.add(key);
    const out: FsEntry = { ...e, path: prefix + e.path };
    if (e.type === 'hardlink' && e.linkname !== undefined) out.linkname = prefix + e.linkname;
    yield out;
  }
  for (const [key, t] of TOUCH) {
    if (found.has(key)) continue;
    const path = prefix + key.replace(/\/$/, '');
    if (key === 'etc/resolv.conf' && resolvSymlink) yield symlink(path, resolvSymlink, t.mode);
    else if (t.type === 'dir') yield dir(path, t.mode);
    else if (t.type === 'symlink') yield symlink(path, t.linkname!, t.mode);
    else yield file(path, REPLACE[key] ?? '', t.mode);
  }
}
