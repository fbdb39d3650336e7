// The initramfs stage: each section's entries → newc records (no trailer) → compressed archive,
// cached by the section key; the initrd is the archives in section order plus a trailer archive.
import { posix } from 'node:path';
import type { FsEntry } from '../oci/entry';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { createGzip, gzip, type Gzip } from 'node:zlib';
import { compress, compressTo, FileSink, type Compression, type Sink } from './compress';
import { cpioRecordList, recordBytes, trailer } from './cpio';

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
/**
 * zlib's output buffer per member. Each member is a fresh stream with a fresh buffer, and binaries
 * compress to about a third, so 1 MiB buffers were two thirds unused (45 MB allocated for the
 * bench's 42 MB initramfs; young-generation collections per 4 builds went from 46 to 31 with the
 * reused read buffers of FileSink.writeFile). 256 KiB is still one or two round trips to the
 * thread pool per member. The bytes do not depend on it.
 */
const OUT_CHUNK = 256 * 1024;
/** Part of every section cache key: archives cut at other sizes (older engines) are not mixed in. */
export const ARCHIVE_LAYOUT = `m${MEMBER_BYTES >> 20}`;

export { compress, compressTo, FileSink, type Compression, type Sink } from './compress';
export { cpioRecords, cpioRecordList, recordBytes, parseCpio, trailer, encodeHeader, type CpioMember, type CpioRecord } from './cpio';
export { SectionCache, type CachedSection } from './section-cache';
export * from './contents';

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
  /** Temporary files (see CpioWriteOptions.tmpDir). */
  tmpDir?: string;
  onBytes?: (n: number) => void;
  /** Called once per record written (the contents tally: see contents.ts). */
  onRecord?: (name: string, bytes: number, dir: boolean) => void;
}

/**
 * A record whose data would make the member gathered in memory larger than this is compressed as
 * a stream instead (same bytes: deflate's output does not depend on how its input is split), so a
 * file of any size passes through a bounded amount of memory.
 */
const STREAM_RECORD = 4 * MEMBER_BYTES;
/** Members compressing at once per section (each holds about MEMBER_BYTES in and out). */
const MEMBERS_IN_FLIGHT = 4;

/**
 * Writes one section's compressed archive (no trailer) to the file `out`; returns the
 * uncompressed and the compressed size. gzip sections are cut into members of about MEMBER_BYTES
 * at record boundaries and each member is compressed as its own job on the libuv thread pool, so
 * even one big section (kernel modules) keeps every core busy. The kernel unpacks each member in
 * turn; gzip -d / zcat see one stream. Cut points depend only on the content. Memory stays
 * bounded: a few members in flight, and a record too big for a member in memory is streamed.
 */
export async function sectionArchive(entries: AsyncIterable<FsEntry>, opts: ArchiveOptions, out: string): Promise<{ rawBytes: number; bytes: number }> {
  const sink = await FileSink.create(out);
  try {
    const rawBytes = await writeSection(entries, opts, sink);
    await sink.close();
    return { rawBytes, bytes: sink.bytes };
  } catch (e) {
    await sink.abandon();
    throw e;
  }
}

async function writeSection(entries: AsyncIterable<FsEntry>, opts: ArchiveOptions, sink: Sink): Promise<number> {
  let rawBytes = 0;
  const records = cpioRecordList(entries, { mtime: opts.mtime, inoBase: opts.inoBase, stream: opts.stream, tmpDir: opts.tmpDir });
  if (opts.compression !== 'gzip') {
    async function* flat(): AsyncGenerator<Buffer> {
      for await (const r of records) {
        yield* recordBytes(r);
        rawBytes += r.size;
        opts.onRecord?.(r.name, r.size, r.dir);
        opts.onBytes?.(rawBytes);
      }
    }
    await compressTo(flat(), opts.compression, sink, opts.level);
    return rawBytes;
  }
  const level = opts.level ?? DEFAULT_GZIP_LEVEL;
  const pending: Promise<Buffer>[] = [];
  const writePending = async (keep: number) => {
    while (pending.length > keep) await sink.write(await pending.shift()!);
  };
  let group: Buffer[] = [];
  let groupBytes = 0;
  let streaming: GzipMember | undefined;
  const flush = async () => {
    if (!groupBytes) return;
    if (streaming) {
      await streaming.end();
      streaming = undefined;
    } else {
      const input = Buffer.concat(group, groupBytes);
      // A big output buffer: with zlib's default 16 KiB chunks a member needs ~80 round trips
      // between the thread pool and the main thread, so compression stalls while the main thread
      // reads layers and the two cores never work at once.
      const p = gzipAsync(input, { level, chunkSize: OUT_CHUNK });
      p.catch(() => undefined); // awaited in order below; not an unhandled rejection meanwhile
      pending.push(p);
    }
    group = [];
    groupBytes = 0;
    await writePending(MEMBERS_IN_FLIGHT);
  };
  try {
    for await (const r of records) {
      if (!streaming && r.body && groupBytes + r.size > STREAM_RECORD) {
        // Members before this one go out first; this member is compressed as it streams.
        await writePending(0);
        streaming = new GzipMember(sink, level);
        for (const b of group) await streaming.write(b);
        group = [];
      }
      if (streaming) {
        for await (const b of recordBytes(r)) await streaming.write(b);
      } else {
        group.push(...r.head);
        if (r.body) for await (const c of r.body) group.push(c);
        if (r.tail) group.push(r.tail);
      }
      groupBytes += r.size;
      rawBytes += r.size;
      opts.onRecord?.(r.name, r.size, r.dir);
      if (groupBytes >= MEMBER_BYTES) {
        await flush();
        opts.onBytes?.(rawBytes);
      }
    }
    await flush();
    await writePending(0);
  } finally {
    streaming?.destroy();
  }
  return rawBytes;
}

/** One gzip member compressed as a stream, its output written to the sink as it comes. */
class GzipMember {
  private gz: Gzip;
  private drained: Promise<void>;
  constructor(sink: Sink, level: number) {
    // Same parameters as gzipAsync above (memLevel 8): the same input gives the same member.
    this.gz = createGzip({ level, chunkSize: OUT_CHUNK });
    const gz = this.gz;
    this.drained = (async () => {
      for await (const c of gz) await sink.write(c as Buffer);
    })();
    this.drained.catch((e: unknown) => this.gz.destroy(e as Error));
  }
  async write(b: Buffer): Promise<void> {
    if (!this.gz.write(b)) await Promise.race([once(this.gz, 'drain'), this.drained]);
  }
  async end(): Promise<void> {
    this.gz.end();
    await this.drained;
  }
  destroy(): void {
    if (!this.gz.destroyed) this.gz.destroy();
  }
}

/** The last archive of every initrd: just the trailer. */
export async function trailerArchive(compression: Compression): Promise<Buffer> {
  async function* one(): AsyncGenerator<Buffer> {
    yield trailer();
  }
  return compress(one(), compression);
}
