// Stable identifiers for reproducible images: volume serials, disk signatures and GPT GUIDs are
// derived from the build's SOURCE_DATE_EPOCH and a purpose string instead of drawn at random.
import { createHash } from 'node:crypto';

function digest(epoch: number, purpose: string): Buffer {
  return createHash('sha256').update(`oscompose:${epoch}:${purpose}`).digest();
}

/** A 32-bit value (FAT volume serial, MBR disk signature), never zero. */
export function stableU32(epoch: number, purpose: string): number {
  return digest(epoch, purpose).readUInt32BE(0) || 1;
}

/** A random-looking (version 4 layout) GUID in its on-disk mixed-endian byte order. */
export function stableGuid(epoch: number, purpose: string): Buffer {
  const b = digest(epoch, purpose).subarray(0, 16);
  b[7] = (b[7]! & 0x0f) | 0x40; // version 4 (byte 7 is the high byte of the LE third field)
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return Buffer.from(b);
}

/** Parses "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" into GPT's mixed-endian byte order. */
export function guidBytes(text: string): Buffer {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a GUID: ${text}`);
  const raw = Buffer.from(hex, 'hex');
  const out = Buffer.alloc(16);
  out.writeUInt32LE(raw.readUInt32BE(0), 0);
  out.writeUInt16LE(raw.readUInt16BE(4), 4);
  out.writeUInt16LE(raw.readUInt16BE(6), 6);
  raw.copy(out, 8, 8, 16);
  return out;
}

/** Formats on-disk GUID bytes back to text (for logs and tests). */
export function guidText(bytes: Buffer): string {
  const h = (n: number, w: number) => n.toString(16).padStart(w, '0');
  const tail = bytes.subarray(8, 16).toString('hex');
  return `${h(bytes.readUInt32LE(0), 8)}-${h(bytes.readUInt16LE(4), 4)}-${h(bytes.readUInt16LE(6), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`.toUpperCase();
}
