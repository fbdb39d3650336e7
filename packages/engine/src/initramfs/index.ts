// The initramfs stage: each section's entries → newc records (no trailer) → compressed archive,
// cached by the section key; the initrd is the archives in section order plus a trailer archive.
import { posix } from 'node:path';
import type { FsEntry } from '../oci/entry';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { compress, type Compression } from './compress';
import { cpioRecordList, trailer } from './cpio';

const gzipAsync = promisify(gzip);
/** zlib level 5: within 0.5% of level 6's size on binaries, about 15% faster. */
export const DEFAULT_GZIP_LEVEL = 5;
/**
 * Large sections are cut (between records) into members of about this size, compressed in
 * parallel. 1 MiB rather than 4: a typical 3–4 MiB service section then still spreads over both
 * cores (a one-service rebuild went from ~1.0 to ~1.4 cores busy); the cost is ~20 bytes of gzip
 * header per member and a fresh 32 KiB window, which did not change the bench's initrd size
 * (12.7 MB).
 */
export const MEMBER_BYTES = 1024 * 1024;
/** Part of every section cache key: archives cut at other sizes (older engines) are not mixed in. */
export const ARCHIVE_LAYOUT = `m${MEMBER_BYTES >> 20}`;

export { compress, type Compression } from './compress';
export { cpioRecords, cpioRecordList, parseCpio, trailer, encodeHeader, type CpioMember } from './cpio';
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
  /** Write records as entries arrive (see CpioWriteOptions.stream). */
  stream?: boolean;
  onBytes?: (n: number) => void;
}

/**
 * One section's compressed archive (no trailer). gzip sections are cut into members of about
 * MEMBER_BYTES at record boundaries and each member is compressed as its own job on the libuv
 * thread pool, so even one big section (kernel modules) keeps every core busy. The kernel unpacks
 * each member in turn; gzip -d / zcat see one stream. Cut points depend only on the content.
 */
export async function sectionArchive(entries: AsyncIterable<FsEntry>, opts: ArchiveOptions): Promise<{ archive: Buffer; rawBytes: number }> {
  let rawBytes = 0;
  const records = cpioRecordList(entries, { mtime: opts.mtime, inoBase: opts.inoBase, stream: opts.stream });
  if (opts.compression !== 'gzip') {
    async function* flat(): AsyncGenerator<Buffer> {
      for await (const r of records) {
        for (const b of r) {
          rawBytes += b.length;
          yield b;
        }
        opts.onBytes?.(rawBytes);
      }
    }
    return { archive: await compress(flat(), opts.compression, opts.level), rawBytes };
  }
  const members: Promise<Buffer>[] = [];
  let group: Buffer[] = [];
  let groupBytes = 0;
  const flush = () => {
    if (!groupBytes) return;
    const input = Buffer.concat(group, groupBytes);
    // One big output buffer: with zlib's default 16 KiB chunks a member needs ~80 round trips
    // between the thread pool and the main thread, so compression stalls while the main thread
    // reads layers and the two cores never work at once.
    members.push(gzipAsync(input, { level: opts.level ?? DEFAULT_GZIP_LEVEL, chunkSize: MEMBER_BYTES }));
    group = [];
    groupBytes = 0;
  };
  for await (const r of records) {
    for (const b of r) {
      group.push(b);
      groupBytes += b.length;
      rawBytes += b.length;
    }
    if (groupBytes >= MEMBER_BYTES) {
      flush();
      opts.onBytes?.(rawBytes);
    }
  }
  flush();
  const parts = await Promise.all(members);
  return { archive: parts.length === 1 ? parts[0]! : Buffer.concat(parts), rawBytes };
}

/** The last archive of every initrd: just the trailer. */
export async function trailerArchive(compression: Compression): Promise<Buffer> {
  async function* one(): AsyncGenerator<Buffer> {
    yield trailer();
  }
  return compress(one(), compression);
}
