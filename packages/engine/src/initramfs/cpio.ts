// The newc ("070701") cpio format the kernel unpacks: writer and reader. A section archive is
// written WITHOUT a trailer; the initramfs ends with one trailer-only archive. The kernel accepts
// that (it needs each compressed member to end on an entry boundary, not on a trailer), and
// `zcat initrd.img | cpio -i` then reads every section as one archive instead of stopping
// after the first.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FsEntry, FsEntryType } from '../oci/entry';
import { ArchiveError } from '../oci/errors';

const TYPE_BITS: Record<FsEntryType, number> = {
  file: 0o100000,
  dir: 0o040000,
  symlink: 0o120000,
  hardlink: 0o100000,
  char: 0o020000,
  block: 0o060000,
  fifo: 0o010000,
};

export const TRAILER = 'TRAILER!!!';

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
const pad4 = (n: number) => (4 - (n % 4)) % 4;

export interface CpioHeader {
  name: string;
  ino: number;
  mode: number; // type bits | permissions
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  size: number;
  devmajor: number;
  devminor: number;
}

/** Header + name + padding; the data (size bytes) and its padding follow. */
export function encodeHeader(h: CpioHeader): Buffer {
  const name = Buffer.from(h.name + '\0');
  const fields = [
    '070701', hex8(h.ino), hex8(h.mode), hex8(h.uid), hex8(h.gid), hex8(h.nlink), hex8(h.mtime), hex8(h.size),
    hex8(0), hex8(0), hex8(h.devmajor), hex8(h.devminor), hex8(name.length), hex8(0),
  ].join('');
  const head = Buffer.alloc(110 + name.length + pad4(110 + name.length));
  head.write(fields, 0, 'latin1');
  name.copy(head, 110);
  return head;
}

export function trailer(): Buffer {
  return encodeHeader({ name: TRAILER, ino: 0, mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, size: 0, devmajor: 0, devminor: 0 });
}

export interface CpioWriteOptions {
  /** mtime written for every entry (reproducibility). */
  mtime: number;
  /**
   * Write each record as its entry arrives (no hard links allowed, no de-duplication), so
   * compression overlaps reading. Default: read the section first (hard links, one record per path).
   */
  stream?: boolean;
  /** First inode number; sections use distinct ranges so hard links never collide across sections. */
  inoBase: number;
  /**
   * Without `stream`, where streamed file contents wait (a temporary file, removed when the records
   * end) until their record is written. Default: the system temporary directory.
   */
  tmpDir?: string;
}

/**
 * One newc record: `head` (header and name, then the data when it is at hand), `body` (the data,
 * streamed from its layer: iterate it once, before asking for the next record), `tail` (padding).
 * `size` is the record's total length, known before any of its data is read.
 */
export interface CpioRecord {
  /** The entry's path (for the contents tally). */
  name: string;
  dir: boolean;
  size: number;
  head: Buffer[];
  body?: AsyncIterable<Buffer>;
  tail?: Buffer;
}

/** A record's bytes in order. */
export async function* recordBytes(r: CpioRecord): AsyncGenerator<Buffer> {
  yield* r.head;
  if (r.body) yield* r.body;
  if (r.tail) yield r.tail;
}

/**
 * Encodes entries as newc records (no trailer). Hard links share the target's inode and nlink;
 * the data is stored once, with the first record (where the kernel expects it).
 */
export async function* cpioRecords(entries: AsyncIterable<FsEntry> | Iterable<FsEntry>, opts: CpioWriteOptions): AsyncGenerator<Buffer> {
  for await (const r of cpioRecordList(entries, opts)) yield* recordBytes(r);
}

/** Streamed contents kept in memory while the section is read (without `stream`): small ones, up to this much. */
const KEEP_IN_MEMORY = 8 << 20;
const KEEP_FILE = 64 << 10;

/** Like cpioRecords, one record at a time (so callers can cut between records). */
export async function* cpioRecordList(entries: AsyncIterable<FsEntry> | Iterable<FsEntry>, opts: CpioWriteOptions): AsyncGenerator<CpioRecord> {
  let ino = opts.inoBase;
  if (opts.stream) {
    for await (const e of entries as AsyncIterable<FsEntry>) {
      if (e.type === 'hardlink') throw new ArchiveError('hard link in a streamed section; write it without stream', { entry: e.path });
      yield record(headerOf(e, ino++, opts.mtime), e.type === 'symlink' ? Buffer.from(e.linkname ?? '') : e.type === 'file' ? e.content : undefined);
    }
    return;
  }
  // Hard links need the target's nlink up front, and a path listed twice keeps only its last
  // record, so the section's entries are read first; link targets are written after, with their
  // links. Streamed contents wait in a temporary file (small ones in memory), never whole in memory.
  const byPath = new Map<string, { header: CpioHeader; data: FsEntry['content']; links: CpioHeader[] }>();
  const hasLinks = new Set<string>();
  const list: FsEntry[] = [];
  const spill = new Spill(opts.tmpDir);
  let kept = 0;
  try {
    for await (const e of entries as AsyncIterable<FsEntry>) {
      if (e.type === 'hardlink' && e.linkname) hasLinks.add(e.linkname);
      // Streamed content is only valid until the next entry, so take it now.
      if (e.content && !Buffer.isBuffer(e.content)) {
        if (e.size <= KEEP_FILE && kept + e.size <= KEEP_IN_MEMORY) {
          const parts: Buffer[] = [];
          for await (const c of e.content) parts.push(c);
          const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
          kept += data.length;
          list.push({ ...e, content: data });
        } else list.push({ ...e, content: await spill.add(e.content) });
      } else list.push(e);
    }
    await spill.finish();
    for (const e of dedupe(list)) {
      if (e.type === 'hardlink') {
        const target = byPath.get(e.linkname ?? '');
        if (!target) throw new ArchiveError(`hard link to "${e.linkname}" which is not an earlier regular file`, { entry: e.path });
        target.links.push({ ...target.header, name: e.path, size: 0 });
        continue;
      }
      const header = headerOf(e, ino++, opts.mtime);
      const data = e.type === 'symlink' ? Buffer.from(e.linkname ?? '') : e.type === 'file' ? e.content : undefined;
      if (e.type === 'file' && hasLinks.has(e.path)) {
        byPath.set(e.path, { header, data, links: [] });
        continue;
      }
      yield record(header, data);
    }
    for (const t of byPath.values()) {
      const nlink = 1 + t.links.length;
      yield record({ ...t.header, nlink }, t.data);
      for (const l of t.links) yield record({ ...l, nlink }, undefined);
    }
  } finally {
    await spill.remove();
  }
}

/** One temporary file holding streamed contents back to back, read back by range. */
class Spill {
  private path?: string;
  private fh?: FileHandle;
  private end = 0;
  private dir?: string;
  constructor(private readonly tmpDir?: string) {}
  /** Appends the content; returns something that reads it back (after finish()). */
  async add(content: AsyncIterable<Buffer>): Promise<AsyncIterable<Buffer>> {
    if (!this.fh) {
      this.dir = await mkdtemp(join(this.tmpDir ?? tmpdir(), 'oscompose-cpio-'));
      this.path = join(this.dir, 'contents');
      this.fh = await open(this.path, 'w+');
    }
    const start = this.end;
    for await (const c of content) {
      await this.fh.write(c, 0, c.length, this.end);
      this.end += c.length;
    }
    const len = this.end - start;
    const fh = this.fh;
    return {
      async *[Symbol.asyncIterator]() {
        let pos = start;
        const stop = start + len;
        while (pos < stop) {
          const buf = Buffer.allocUnsafe(Math.min(1 << 20, stop - pos));
          const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
          if (bytesRead === 0) throw new ArchiveError('the temporary file of a section ended early');
          pos += bytesRead;
          yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
        }
      },
    };
  }
  async finish(): Promise<void> {
    await this.fh?.datasync().catch(() => undefined);
  }
  async remove(): Promise<void> {
    await this.fh?.close().catch(() => undefined);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

function headerOf(e: FsEntry, ino: number, mtime: number): CpioHeader {
  return {
    name: e.path,
    ino,
    mode: TYPE_BITS[e.type] | (e.mode & 0o7777),
    uid: e.uid,
    gid: e.gid,
    nlink: e.type === 'dir' ? 2 : 1,
    mtime,
    size: e.type === 'file' ? e.size : e.type === 'symlink' ? Buffer.byteLength(e.linkname ?? '') : 0,
    devmajor: e.devmajor ?? 0,
    devminor: e.devminor ?? 0,
  };
}

/**
 * One record per path, as the section would look once unpacked: a later entry replaces an earlier
 * one (a directory keeps its first position, so it still precedes its children, with the last
 * metadata). LinuxKit's writer emits such duplicates (e.g. a replaced etc/hosts written again);
 * the kernel applies them in order, but `cpio -i` would keep the first.
 */
export function dedupe(list: FsEntry[]): FsEntry[] {
  const last = new Map<string, number>();
  list.forEach((e, i) => last.set(e.path, i));
  if (last.size === list.length) return list;
  const firstDir = new Map<string, number>();
  const out: (FsEntry | undefined)[] = [];
  list.forEach((e, i) => {
    const final = list[last.get(e.path)!]!;
    if (e.type === 'dir' && final.type === 'dir') {
      if (!firstDir.has(e.path)) {
        firstDir.set(e.path, out.length);
        out.push(final);
      }
      return;
    }
    if (i === last.get(e.path)) out.push(e);
  });
  return out.filter((e): e is FsEntry => e !== undefined);
}

function record(h: CpioHeader, data: FsEntry['content']): CpioRecord {
  const p = pad4(h.size);
  const tail = p ? Buffer.alloc(p) : undefined;
  const size = encodedHeaderLength(h.name) + h.size + p;
  const { name } = h;
  const dir = (h.mode & 0o170000) === 0o040000;
  if (data === undefined || Buffer.isBuffer(data)) {
    const n = data?.length ?? 0;
    if (n !== h.size) throw new ArchiveError(`content is ${n} bytes but the entry says ${h.size}`, { entry: h.name });
    return { name, dir, size, head: data?.length ? [encodeHeader(h), data] : [encodeHeader(h)], tail };
  }
  return { name, dir, size, head: [encodeHeader(h)], body: exactly(data, h.size, h.name), tail };
}

function encodedHeaderLength(name: string): number {
  const n = 110 + Buffer.byteLength(name) + 1;
  return n + pad4(n);
}

/** The content, checked against the size its header already announced. */
async function* exactly(content: AsyncIterable<Buffer>, size: number, name: string): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const c of content) {
    n += c.length;
    if (n > size) break;
    yield Buffer.isBuffer(c) ? c : Buffer.from(c);
  }
  if (n !== size) throw new ArchiveError(`content is ${n > size ? 'more' : 'fewer'} bytes than the entry's ${size}`, { entry: name });
}

// ---------------------------------------------------------------- reader

export interface CpioMember extends CpioHeader {
  data: Buffer;
}

/** Parses newc records from a buffer (several archives back to back are fine); stops at the end. */
export function parseCpio(buf: Buffer): CpioMember[] {
  const out: CpioMember[] = [];
  let off = 0;
  while (off + 110 <= buf.length) {
    if (buf[off] === 0) {
      off++;
      continue;
    }
    const magic = buf.toString('latin1', off, off + 6);
    if (magic !== '070701' && magic !== '070702') throw new ArchiveError(`bad cpio magic "${magic}" at offset ${off}`);
    const f = (i: number) => parseInt(buf.toString('latin1', off + 6 + i * 8, off + 14 + i * 8), 16);
    const namesize = f(11);
    const name = buf.toString('utf8', off + 110, off + 110 + namesize - 1);
    const dataStart = off + 110 + namesize + pad4(110 + namesize);
    const size = f(6);
    const h: CpioMember = {
      name, ino: f(0), mode: f(1), uid: f(2), gid: f(3), nlink: f(4), mtime: f(5), size,
      devmajor: f(9), devminor: f(10), data: buf.subarray(dataStart, dataStart + size),
    };
    off = dataStart + size + pad4(size);
    if (name === TRAILER) continue;
    out.push(h);
  }
  return out;
}
