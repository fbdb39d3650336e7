// Lays out a whole-disk image file from pieces at byte offsets (partition table sectors, a
// filesystem image made separately). Unwritten space stays a hole, so images are sparse.
import { open, stat } from 'node:fs/promises';

export type DiskPiece = { offset: number; bytes: Buffer } | { offset: number; file: string };

const CHUNK = 4 * 1024 * 1024;

export async function writeDiskImage(out: string, totalBytes: number, pieces: DiskPiece[]): Promise<void> {
  const fh = await open(out, 'w');
  try {
    await fh.truncate(totalBytes);
    for (const piece of pieces) {
      if ('bytes' in piece) {
        if (piece.offset + piece.bytes.length > totalBytes) throw new Error(`disk piece at ${piece.offset} overruns the ${totalBytes}-byte image`);
        await fh.write(piece.bytes, 0, piece.bytes.length, piece.offset);
        continue;
      }
      const size = (await stat(piece.file)).size;
      if (piece.offset + size > totalBytes) throw new Error(`${piece.file} at ${piece.offset} overruns the ${totalBytes}-byte image`);
      const src = await open(piece.file, 'r');
      try {
        const buf = Buffer.alloc(CHUNK);
        for (let done = 0; done < size; ) {
          const { bytesRead } = await src.read(buf, 0, Math.min(CHUNK, size - done), done);
          if (bytesRead === 0) break;
          // Keep holes where the filesystem image is empty: cheaper to write and to convert.
          if (!isZero(buf.subarray(0, bytesRead))) await fh.write(buf, 0, bytesRead, piece.offset + done);
          done += bytesRead;
        }
      } finally {
        await src.close();
      }
    }
  } finally {
    await fh.close();
  }
}

function isZero(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i += 8) {
    if (i + 8 <= buf.length ? buf.readBigUInt64LE(i) !== 0n : buf.subarray(i).some((b) => b !== 0)) return false;
  }
  return true;
}
