// Just enough of the PE/COFF format to assemble a Unified Kernel Image reproducibly: where the
// EFI stub's sections end (so new sections go after them) and fixing the header's timestamp and
// checksum, which objcopy sets from the clock.

export interface PeInfo {
  /** Offset of the "PE\0\0" signature. */
  peOffset: number;
  /** Offset of the optional header. */
  optOffset: number;
  sectionAlignment: number;
  /** First virtual address past every existing section. */
  endOfSections: number;
}

export function readPe(buf: Buffer): PeInfo {
  if (buf.length < 0x40 || buf.toString('latin1', 0, 2) !== 'MZ') throw new Error('not a PE file (no MZ header)');
  const peOffset = buf.readUInt32LE(0x3c);
  if (buf.toString('latin1', peOffset, peOffset + 4) !== 'PE\0\0') throw new Error('not a PE file (no PE signature)');
  const sections = buf.readUInt16LE(peOffset + 6);
  const optSize = buf.readUInt16LE(peOffset + 20);
  const optOffset = peOffset + 24;
  if (buf.readUInt16LE(optOffset) !== 0x20b) throw new Error('not a PE32+ (64-bit) image');
  const sectionAlignment = buf.readUInt32LE(optOffset + 32);
  let endOfSections = 0;
  for (let i = 0; i < sections; i++) {
    const at = optOffset + optSize + i * 40;
    const virtualSize = buf.readUInt32LE(at + 8);
    const virtualAddress = buf.readUInt32LE(at + 12);
    endOfSections = Math.max(endOfSections, virtualAddress + virtualSize);
  }
  return { peOffset, optOffset, sectionAlignment, endOfSections };
}

export function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Virtual addresses for new sections of the given sizes, placed after the stub's, page-aligned. */
export function sectionAddresses(endOfSections: number, sizes: number[], align = 4096): number[] {
  const out: number[] = [];
  let next = alignUp(endOfSections, align);
  for (const size of sizes) {
    out.push(next);
    next = alignUp(next + size, align);
  }
  return out;
}

/** The PE image checksum (as Windows' CheckSumMappedFile computes it), skipping the field itself. */
export function peChecksum(buf: Buffer, checksumOffset: number): number {
  let sum = 0;
  const even = buf.length & ~1;
  for (let i = 0; i < even; i += 2) {
    if (i === checksumOffset || i === checksumOffset + 2) continue;
    sum += buf[i]! | (buf[i + 1]! << 8);
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (buf.length & 1) {
    sum += buf[buf.length - 1]!;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  sum = (sum & 0xffff) + (sum >>> 16);
  return (sum + buf.length) >>> 0;
}

/** Sets the COFF timestamp to `epoch` and recomputes the checksum, in place. */
export function stampPe(buf: Buffer, epoch: number): void {
  const { peOffset, optOffset } = readPe(buf);
  buf.writeUInt32LE(epoch >>> 0, peOffset + 8);
  const checksumOffset = optOffset + 64;
  buf.writeUInt32LE(0, checksumOffset);
  buf.writeUInt32LE(peChecksum(buf, checksumOffset), checksumOffset);
}

/** stampPe on a file, streamed (a UKI holds the whole initrd: it is never read into memory whole). */
export async function stampPeFile(path: string, epoch: number): Promise<void> {
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r+');
  try {
    const head = Buffer.alloc(8192);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const { peOffset, optOffset } = readPe(head.subarray(0, bytesRead));
    const checksumOffset = optOffset + 64;
    const word = Buffer.alloc(4);
    word.writeUInt32LE(epoch >>> 0);
    await fh.write(word, 0, 4, peOffset + 8);
    word.writeUInt32LE(0);
    await fh.write(word, 0, 4, checksumOffset);
    // With the field zeroed, skipping it (as peChecksum does) and adding it are the same.
    let sum = 0;
    let length = 0;
    const buf = Buffer.alloc(1 << 20); // even: every chunk but the last holds whole 16-bit words
    for (;;) {
      const { bytesRead: n } = await fh.read(buf, 0, buf.length, length);
      if (n === 0) break;
      length += n;
      const even = n & ~1;
      for (let i = 0; i < even; i += 2) {
        sum += buf[i]! | (buf[i + 1]! << 8);
        sum = (sum & 0xffff) + (sum >>> 16);
      }
      if (n & 1) {
        sum += buf[n - 1]!;
        sum = (sum & 0xffff) + (sum >>> 16);
        break; // an odd chunk is the last (reads return less only at the end)
      }
    }
    sum = (sum & 0xffff) + (sum >>> 16);
    word.writeUInt32LE((sum + length) >>> 0);
    await fh.write(word, 0, 4, checksumOffset);
  } finally {
    await fh.close();
  }
}
