// The initramfs stage: each section's entries → newc records (no trailer) → compressed archive,
// cached by the section key; the initrd is the archives in section order plus a trailer archive.
import { posix } from 'node:path';
import type { FsEntry } from '../oci/entry';
import { compress, type Compression } from './compress';
import { cpioRecords, trailer } from './cpio';

export { compress, type Compression } from './compress';
export { cpioRecords, parseCpio, trailer, encodeHeader, type CpioMember } from './cpio';
export { SectionCache, type CachedSection } from './section-cache';

export type HardlinkPolicy = 'symlink' | 'keep';

/**
 * What `linuxkit build` does when it turns the root filesystem into an initrd (CopySplitTar):
 * everything under boot/ is left out (the kernel, cmdline and microcode are artifacts of their
 * own), and hard links become relative symlinks unless `keep` is asked for.
 */
export async function* initrdView(entries: AsyncIterable<FsEntry>, hardlinks: HardlinkPolicy): AsyncGenerator<FsEntry> {
  for await (const e of entries) {
    if (e.path.startsWith('boot/')) continue;
    if (e.type === 'hardlink' && hardlinks === 'symlink') {
      const rel = posix.relative(posix.dirname(`/${e.path}`), `/${e.linkname ?? ''}`);
      yield { ...e, type: 'symlink', size: 0, linkname: rel, content: undefined };
      continue;
    }
    yield e;
  }
}

export interface ArchiveOptions {
  compression: Compression;
  level?: number;
  mtime: number;
  inoBase: number;
  onBytes?: (n: number) => void;
}

/** One section's compressed archive (no trailer). */
export async function sectionArchive(entries: AsyncIterable<FsEntry>, opts: ArchiveOptions): Promise<{ archive: Buffer; rawBytes: number }> {
  let rawBytes = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const b of cpioRecords(entries, { mtime: opts.mtime, inoBase: opts.inoBase })) {
      rawBytes += b.length;
      opts.onBytes?.(b.length);
      yield b;
    }
  }
  const archive = await compress(counted(), opts.compression, opts.level);
  return { archive, rawBytes };
}

/** The last archive of every initrd: just the trailer. */
export async function trailerArchive(compression: Compression): Promise<Buffer> {
  async function* one(): AsyncGenerator<Buffer> {
    yield trailer();
  }
  return compress(one(), compression);
}
