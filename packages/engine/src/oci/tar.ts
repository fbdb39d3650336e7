// Deterministic streaming tar: a writer (ustar, pax extended headers when a value does not fit)
// and a reader (ustar, pax incl. global headers, GNU long names, base-256 numbers). Both stream:
// file content is never held whole unless the caller passes a Buffer.

import type { FsEntry, FsEntryType } from './entry';
import { ArchiveError } from './errors';

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

const TYPEFLAG: Record<FsEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

export interface TarWriteOptions {
  /** mtime written for every entry (seconds); overrides entry.mtime. Default: entry.mtime ?? 0. */
  mtime?: number;
}

/** Sorts entries by path, bytewise (parents before children), for callers that want tar order = path order. */
export function sortEntries<T extends { path: string }>(entries: T[]): T[] {
  return [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/**
 * Writes entries as a tar stream, in the order given. Output depends only on the entries and
 * options (no clock, no host user names), so the same input gives the same bytes.
 */
export async function* tarStream(
  entries: Iterable<FsEntry> | AsyncIterable<FsEntry>,
  opts: TarWriteOptions = {},
): AsyncGenerator<Buffer> {
  for await (const e of entries) {
    const name = e.type === 'dir' ? `${e.path.replace(/\/+$/, '')}/` : e.path;
    const size = e.type === 'file' ? e.size : 0;
    const mtime = Math.max(0, Math.floor(opts.mtime ?? e.mtime ?? 0));
    const pax: [string, string][] = [];
    const header = Buffer.alloc(BLOCK);

    const split = splitUstarName(name);
    if (split) {
      header.write(split.name, 0, 100, 'utf8');
      header.write(split.prefix, 345, 155, 'utf8');
    } else {
      pax.push(['path', name]);
      header.write(truncUtf8(name, 100), 0, 100, 'utf8');
    }
    const linkname = e.linkname ?? '';
    if (Buffer.byteLength(linkname) > 100) {
      pax.push(['linkpath', linkname]);
      header.write(truncUtf8(linkname, 100), 157, 100, 'utf8');
    } else {
      header.write(linkname, 157, 100, 'utf8');
    }
    writeNumber(header, 100, 8, e.mode & 0o7777, 'mode', pax);
    writeNumber(header, 108, 8, e.uid, 'uid', pax);
    writeNumber(header, 116, 8, e.gid, 'gid', pax);
    writeNumber(header, 124, 12, size, 'size', pax);
    writeNumber(header, 136, 12, mtime, 'mtime', pax);
    header.write(TYPEFLAG[e.type], 156, 1, 'latin1');
    header.write('ustar\u000000', 257, 8, 'latin1');
    writeNumber(header, 329, 8, e.devmajor ?? 0, 'SCHILY.devmajor', pax);
    writeNumber(header, 337, 8, e.devminor ?? 0, 'SCHILY.devminor', pax);
    for (const [k, v] of Object.entries(e.xattrs ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      pax.push([`SCHILY.xattr.${k}`, v.toString('latin1')]);
    }

    if (pax.length > 0) {
      const body = Buffer.concat(pax.map(([k, v]) => paxRecord(k, v)));
      const ph = Buffer.alloc(BLOCK);
      ph.write(truncUtf8(`PaxHeaders/${name.replace(/\/+$/, '').split('/').pop()}`, 100), 0, 100, 'utf8');
      writeOctal(ph, 100, 8, 0o644);
      writeOctal(ph, 108, 8, 0);
      writeOctal(ph, 116, 8, 0);
      writeOctal(ph, 124, 12, body.length);
      writeOctal(ph, 136, 12, mtime);
      ph.write('x', 156, 1, 'latin1');
      ph.write('ustar\u000000', 257, 8, 'latin1');
      checksum(ph);
      yield ph;
      yield body;
      const pad = padding(body.length);
      if (pad) yield ZERO_BLOCK.subarray(0, pad);
    }
    checksum(header);
    yield header;

    if (e.type !== 'file') continue;
    let written = 0;
    const content = e.content ?? Buffer.alloc(0);
    if (Buffer.isBuffer(content)) {
      written = content.length;
      if (written === size) yield content;
    } else {
      for await (const chunk of content) {
        written += chunk.length;
        if (written > size) break;
        yield chunk;
      }
    }
    if (written !== size) {
      throw new ArchiveError(`content has ${written > size ? 'more' : 'fewer'} bytes than the entry's size ${size}`, {
        entry: e.path,
      });
    }
    const pad = padding(size);
    if (pad) yield ZERO_BLOCK.subarray(0, pad);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** The whole tar in one Buffer (fixtures, small layers). */
export async function tarBuffer(
  entries: Iterable<FsEntry> | AsyncIterable<FsEntry>,
  opts: TarWriteOptions = {},
): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of tarStream(entries, opts)) parts.push(b);
  return Buffer.concat(parts);
}

function padding(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}

function truncUtf8(s: string, max: number): string {
  let b = Buffer.from(s);
  if (b.length <= max) return s;
  b = b.subarray(0, max);
  // Do not leave half a UTF-8 sequence at the end.
  return b.toString('utf8').replace(/\uFFFD+$/, '');
}

/** ustar stores up to 100 bytes of name plus a 155-byte prefix split at a '/'. */
function splitUstarName(name: string): { name: string; prefix: string } | undefined {
  const b = Buffer.from(name);
  if (b.length <= 100) return { name, prefix: '' };
  if (b.length > 256) return undefined;
  // Split at a '/' such that prefix <= 155 bytes and the rest <= 100 bytes (and non-empty).
  for (let i = Math.min(155, b.length - 2); i > 0; i--) {
    if (b[i] !== 0x2f) continue;
    const rest = b.length - i - 1;
    if (rest > 100) return undefined;
    if (rest === 0) continue;
    return { prefix: b.subarray(0, i).toString('utf8'), name: b.subarray(i + 1).toString('utf8') };
  }
  return undefined;
}

function writeOctal(buf: Buffer, off: number, len: number, value: number): void {
  buf.write(value.toString(8).padStart(len - 1, '0') + '\u0000', off, len, 'latin1');
}

/** Octal when it fits, else 0 in the header and the exact value in a pax record. */
function writeNumber(buf: Buffer, off: number, len: number, value: number, paxKey: string, pax: [string, string][]) {
  if (!Number.isSafeInteger(value) || value < 0) throw new ArchiveError(`invalid ${paxKey} ${value}`);
  if (value < 8 ** (len - 1)) {
    writeOctal(buf, off, len, value);
  } else {
    writeOctal(buf, off, len, 0);
    pax.push([paxKey, String(value)]);
  }
}

function paxRecord(key: string, value: string): Buffer {
  const kv = ` ${key}=${value}\n`;
  const kvLen = Buffer.byteLength(kv);
  let len = kvLen + 1;
  while (String(len).length + kvLen !== len) len = String(len).length + kvLen;
  return Buffer.from(`${len}${kv}`);
}

function checksum(header: Buffer): void {
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += header[i]!;
  header.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'latin1');
}

// ---------------------------------------------------------------------------------------------
// Reader

/** One tar member as read, before any normalisation or safety check (see image/safety.ts). */
export interface TarMember {
  /** The name exactly as in the archive (pax path / GNU long name applied). */
  name: string;
  type: FsEntryType;
  /** The raw typeflag character. */
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  uname: string;
  gname: string;
  xattrs?: Record<string, Buffer>;
  /**
   * The member's data, streamed. Valid only until the next member is requested; whatever is not
   * consumed is skipped then.
   */
  content: AsyncIterable<Buffer>;
}

export interface TarReadOptions {
  /** Used in error messages. */
  layerDigest?: string;
  /** Largest pax / GNU long-name record accepted (bytes). Default 1 MiB. */
  maxHeaderBytes?: number;
}

const TYPES: Record<string, FsEntryType> = {
  '0': 'file',
  '\u0000': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

/** Pulls exact byte counts out of a chunked async source. */
export class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private it: AsyncIterator<Buffer>;
  private ended = false;
  /** Total bytes handed out (or skipped) so far. */
  position = 0;
  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }
  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) this.ended = true;
      else if (r.value.length) {
        const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
        this.chunks.push(chunk);
        this.buffered += chunk.length;
      }
    }
  }
  /** Up to n bytes (fewer only at end of input); a view into the source chunks where possible. */
  async read(n: number): Promise<Buffer> {
    await this.fill(Math.min(n, 1)); // at least one chunk if any remain
    if (this.buffered === 0) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length > n) {
      out = first.subarray(0, n);
      this.chunks[0] = first.subarray(n);
    } else {
      out = first;
      this.chunks.shift();
    }
    this.buffered -= out.length;
    this.position += out.length;
    return out;
  }
  /** Exactly n bytes, or fewer if the input ended. */
  async readExact(n: number): Promise<Buffer> {
    await this.fill(n);
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0 && this.buffered > 0) {
      const b = await this.read(need);
      parts.push(b);
      need -= b.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const b = await this.read(Math.min(left, 1 << 20));
      if (b.length === 0) break;
      left -= b.length;
    }
    return n - left;
  }
  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** Reads a tar stream member by member. Throws ArchiveError on malformed input. */
export async function* readTar(source: AsyncIterable<Buffer>, opts: TarReadOptions = {}): AsyncGenerator<TarMember> {
  const r = new ByteReader(source);
  const maxHeader = opts.maxHeaderBytes ?? 1 << 20;
  const globalPax: Record<string, string> = {};
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  const fail = (msg: string, entry?: string): never => {
    throw new ArchiveError(msg, { layerDigest: opts.layerDigest, entry });
  };
  try {
    for (;;) {
      const h = await r.readExact(BLOCK);
      if (h.length === 0) return; // no end-of-archive blocks: tolerated, as GNU tar does
      if (h.length < BLOCK) fail('the archive is truncated in a header (is the layer complete?)');
      if (h[0] === 0 && h.equals(ZERO_BLOCK)) return;
      if (!verifyChecksum(h)) fail(`bad tar header checksum at byte ${r.position - BLOCK}; the layer is not a valid tar`);

      const typeflag = String.fromCharCode(h[156]!);
      const size = readNumber(h, 124, 12);
      if (size === undefined) fail('invalid size field in tar header');
      const pad = padding(size!);

      if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
        if (size! > maxHeader) fail(`a ${typeflag} header of ${size} bytes exceeds the limit of ${maxHeader}`);
        const body = await r.readExact(size!);
        if (body.length < size!) fail('the archive is truncated in an extended header');
        await r.skip(pad);
        if (typeflag === 'x') pax = { ...pax, ...parsePax(body, fail) };
        else if (typeflag === 'g') Object.assign(globalPax, parsePax(body, fail));
        else if (typeflag === 'L') longName = cString(body, 'utf8');
        else longLink = cString(body, 'utf8');
        continue;
      }

      const p = { ...globalPax, ...pax };
      pax = {};
      let name = longName ?? ustarName(h);
      if (p.path !== undefined) name = p.path;
      let linkname = longLink ?? cString(h.subarray(157, 257), 'utf8');
      if (p.linkpath !== undefined) linkname = p.linkpath;
      longName = longLink = undefined;

      let type = TYPES[typeflag];
      if (!type) fail(`unsupported tar entry type '${typeflag}'`, name);
      // Pre-POSIX archives mark directories only by a trailing '/' on a regular-file entry.
      if ((typeflag === '0' || typeflag === '\u0000') && name.endsWith('/')) type = 'dir';
      const num = (field: string, off: number, len: number) => {
        const v = p[field] !== undefined ? Number(p[field]) : readNumber(h, off, len);
        if (v === undefined || !Number.isFinite(v)) fail(`invalid ${field} field`, name);
        return v!;
      };
      const realSize = p.size !== undefined ? num('size', 124, 12) : size!;
      const xattrs: Record<string, Buffer> = {};
      for (const [k, v] of Object.entries(p)) {
        if (k.startsWith('SCHILY.xattr.')) xattrs[k.slice(13)] = Buffer.from(v, 'latin1');
      }
      // Only regular files expose data; anything stored after another kind of header is skipped.
      const archiveData = realSize;
      const dataSize = type === 'file' ? realSize : 0;
      let remaining = dataSize;
      let consumed = false;
      const content: AsyncIterable<Buffer> = {
        async *[Symbol.asyncIterator]() {
          if (consumed) throw new ArchiveError('entry content was already read', { layerDigest: opts.layerDigest, entry: name });
          consumed = true;
          while (remaining > 0) {
            const b = await r.read(Math.min(remaining, 1 << 20));
            if (b.length === 0) fail('the archive is truncated inside file data', name);
            remaining -= b.length;
            yield b;
          }
        },
      };
      const mode = num('mode', 100, 8);
      yield {
        name,
        type: type!,
        typeflag,
        mode: mode & 0o7777,
        uid: num('uid', 108, 8),
        gid: num('gid', 116, 8),
        size: dataSize,
        mtime: p.mtime !== undefined ? Math.floor(Number(p.mtime)) || 0 : readNumber(h, 136, 12) ?? 0,
        linkname,
        devmajor: num('SCHILY.devmajor', 329, 8),
        devminor: num('SCHILY.devminor', 337, 8),
        uname: p.uname ?? cString(h.subarray(265, 297), 'utf8'),
        gname: p.gname ?? cString(h.subarray(297, 329), 'utf8'),
        ...(Object.keys(xattrs).length ? { xattrs } : {}),
        content,
      };
      // Skip what the consumer left unread, then the padding.
      const unread = remaining + (archiveData - dataSize);
      remaining = 0;
      consumed = true;
      if ((await r.skip(unread)) < unread) fail('the archive is truncated inside file data', name);
      await r.skip(padding(archiveData));
    }
  } finally {
    await r.close();
  }
}

function cString(b: Buffer, enc: BufferEncoding): string {
  const z = b.indexOf(0);
  return b.subarray(0, z === -1 ? b.length : z).toString(enc);
}

function ustarName(h: Buffer): string {
  const name = cString(h.subarray(0, 100), 'utf8');
  const magic = h.subarray(257, 263).toString('latin1');
  if (magic.startsWith('ustar')) {
    const prefix = cString(h.subarray(345, 500), 'utf8');
    // GNU tar ('ustar  ') uses this area for atime/ctime, not a prefix.
    if (prefix && magic === 'ustar\u0000') return `${prefix}/${name}`;
  }
  return name;
}

/** Octal (NUL/space terminated) or GNU base-256 (high bit set). Byte loop: this runs ~8 times per member. */
function readNumber(h: Buffer, off: number, len: number): number | undefined {
  const first = h[off]!;
  if (first & 0x80) {
    if (first === 0xff) return undefined; // negative
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + h[off + i]!;
    return Number.isSafeInteger(v) ? v : undefined;
  }
  let i = off;
  const end = off + len;
  while (i < end && (h[i] === 0x20 || h[i] === 0)) i++; // leading padding
  let v = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = h[i]!;
    if (c >= 0x30 && c <= 0x37) {
      v = v * 8 + (c - 0x30);
      digits++;
    } else break;
  }
  for (; i < end; i++) if (h[i] !== 0 && h[i] !== 0x20) return undefined; // junk after the digits
  return digits === 0 ? 0 : v;
}

function verifyChecksum(h: Buffer): boolean {
  const stored = readNumber(h, 148, 8);
  let unsigned = 8 * 0x20; // the checksum field counts as spaces
  for (let i = 0; i < 148; i++) unsigned += h[i]!;
  for (let i = 156; i < BLOCK; i++) unsigned += h[i]!;
  if (stored === unsigned) return true;
  // Some old writers summed signed bytes.
  let signed = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    const b = h[i]!;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === signed;
}

function parsePax(body: Buffer, fail: (msg: string) => never): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < body.length) {
    if (body[pos] === 0) break;
    const sp = body.indexOf(0x20, pos);
    if (sp === -1) fail('malformed pax record');
    const len = parseInt(body.subarray(pos, sp).toString('latin1'), 10);
    if (!Number.isSafeInteger(len) || len <= sp - pos || pos + len > body.length) fail('malformed pax record length');
    const rec = body.subarray(sp + 1, pos + len - 1); // without trailing '\n'
    const eq = rec.indexOf(0x3d);
    if (eq === -1) fail('malformed pax record (no "=")');
    const key = rec.subarray(0, eq).toString('utf8');
    // xattr values are binary; keep bytes through latin1.
    out[key] = rec.subarray(eq + 1).toString(key.startsWith('SCHILY.xattr.') ? 'latin1' : 'utf8');
    pos += len;
  }
  return out;
}
