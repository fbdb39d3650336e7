// Produces each planned section's entries from its image (the I/O shell around plan.ts): kernel
// pieces out of the kernel image, init images into /, container bundles, the files section.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { FsEntry } from '../oci/entry';
import { readTar } from '../oci/tar';
import { LayoutError } from './errors';
import { dir, file, imageTar, prefixDirs, RESOLV_SYMLINK } from './image-tar';
import type { SectionPlan } from './plan';

/** Flattened image contents (whiteouts applied) for a planned image. */
export type Flatten = (image: { ref: string; digest: string }) => AsyncIterable<FsEntry>;

/**
 * Where the kernel section puts the files that are also artifacts of their own: `dir` is a
 * scratch directory; kernelEntries writes the kernel (and microcode) there as it streams them
 * out of the image and sets `kernel` (and `ucode`) to their paths.
 */
export interface KernelPieces {
  dir: string;
  kernel?: string;
  ucode?: string;
}

/** A file's content read from disk each time it is iterated (streamed, never whole). */
export function fileContent(path: string): AsyncIterable<Buffer> {
  return {
    [Symbol.asyncIterator]: () => createReadStream(path, { highWaterMark: 1 << 20 })[Symbol.asyncIterator](),
  };
}

/** Writes streamed (or buffered) content to a file; returns its length. */
export async function spillTo(content: FsEntry['content'], path: string): Promise<number> {
  const fh = await open(path, 'w');
  let n = 0;
  try {
    for await (const c of !content ? [] : Buffer.isBuffer(content) ? [content] : content) {
      let off = 0;
      while (off < c.length) off += (await fh.write(c, off, c.length - off)).bytesWritten;
      n += c.length;
    }
  } finally {
    await fh.close();
  }
  return n;
}

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** Normalises a kernel.tar member name: no leading ./ or /, no trailing /. */
function cleanName(name: string): string {
  return name.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
}

/** The kernel section: boot/, boot/cmdline, boot/kernel, kernel.tar unpacked, boot/ucode.cpio. */
export async function* kernelEntries(s: Extract<SectionPlan, { kind: 'kernel' }>, flatten: Flatten, pieces: KernelPieces): AsyncGenerator<FsEntry> {
  let foundKernel = false;
  let foundTar = false;
  let bootWritten = false;
  for await (const e of flatten(s.image)) {
    if (e.path === s.binary && e.type !== 'dir') {
      if (foundKernel) throw new LayoutError(`found more than one kernel image (${s.binary}) in ${s.image.ref}`, { location: 'kernel' });
      foundKernel = true;
      // Kept on disk: it is an artifact of its own, and boot/kernel in the root filesystem.
      const path = join(pieces.dir, 'kernel');
      const size = await spillTo(e.content, path);
      if (!bootWritten) yield dir('boot', 0o755);
      bootWritten = true;
      yield file('boot/cmdline', s.cmdline, 0o644);
      pieces.kernel = path;
      yield { path: 'boot/kernel', type: 'file', mode: e.mode, uid: 0, gid: 0, size, content: fileContent(path) };
    } else if (s.tar && e.path === s.tar && e.type !== 'dir') {
      foundTar = true;
      // Read kernel.tar as it streams out of the image, each member's content streamed on to
      // the writer (consumed before the next member is asked for).
      const source = !e.content ? once(Buffer.alloc(0)) : Buffer.isBuffer(e.content) ? once(e.content) : e.content;
      for await (const m of readTar(source, { layerDigest: `${s.image.ref}:${s.tar}` })) {
        const path = cleanName(m.name);
        if (!path || path === '.') continue;
        if (path.split('/').includes('..')) throw new LayoutError(`${s.tar} in ${s.image.ref} has an entry "${m.name}" that leaves the root; rebuild the kernel image`, { location: 'kernel' });
        yield {
          path, type: m.type, mode: m.mode & 0o7777, uid: m.uid, gid: m.gid, size: m.type === 'file' ? m.size : 0,
          linkname: m.type === 'hardlink' ? cleanName(m.linkname) : m.linkname || undefined,
          devmajor: m.devmajor, devminor: m.devminor, ...(m.type === 'file' ? { content: m.content } : {}),
        };
      }
    } else if (s.ucode && e.path === s.ucode && e.type !== 'dir') {
      const path = join(pieces.dir, 'ucode.cpio');
      const size = await spillTo(e.content, path);
      if (!bootWritten) yield dir('boot', 0o755);
      bootWritten = true;
      pieces.ucode = path;
      yield { path: 'boot/ucode.cpio', type: 'file', mode: e.mode, uid: 0, gid: 0, size, content: fileContent(path) };
    }
  }
  if (!foundKernel) throw new LayoutError(`did not find the kernel (${s.binary}) in kernel image ${s.image.ref}; set kernel.binary to its path in the image`, { location: 'kernel' });
  if (s.tar && !foundTar) throw new LayoutError(`did not find ${s.tar} in kernel image ${s.image.ref}; set kernel.tar to its path, or "none"`, { location: 'kernel' });
}

/** One init image unpacked into /, etc/resolv.conf pointing at a writable place. */
export function initEntries(s: Extract<SectionPlan, { kind: 'init' }>, flatten: Flatten): AsyncIterable<FsEntry> {
  return imageTar(flatten(s.image), { prefix: '', resolvSymlink: RESOLV_SYMLINK });
}

/** A volume: its image (if any) in lower/, then tmp/ and merged/ mount points. */
export async function* volumeEntries(s: Extract<SectionPlan, { kind: 'volume' }>, flatten: Flatten): AsyncGenerator<FsEntry> {
  // LinuxKit's build.go passes the init images' resolv.conf symlink to volume images too.
  if (s.image) yield* imageTar(flatten(s.image), { prefix: `${s.path}/lower/`, resolvSymlink: RESOLV_SYMLINK });
  else yield* prefixDirs(`${s.path}/lower/`);
  yield dir(`${s.path}/tmp`, 0o755);
  yield dir(`${s.path}/merged`, 0o755);
}

/** One container bundle: rootfs (or lower + tmp + rootfs mount point), config.json, runtime.json. */
export async function* containerEntries(s: Extract<SectionPlan, { kind: 'container' }>, flatten: Flatten): AsyncGenerator<FsEntry> {
  if (!s.reuses) yield* imageTar(flatten(s.image), { prefix: `${s.root}/` });
  else yield* prefixDirs(`${s.path}/`);
  yield file(`${s.path}/config.json`, s.configJson, 0o644);
  if (!s.readonly) {
    yield dir(`${s.path}/tmp`, 0o755);
    yield dir(`${s.path}/rootfs`, 0o755);
  } else if (s.reuses) {
    yield dir(`${s.path}/rootfs`, 0o755);
  }
  yield file(`${s.path}/runtime.json`, s.runtimeJson, 0o644);
}
