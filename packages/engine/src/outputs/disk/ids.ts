// Stable identifiers for reproducible images: volume serials, disk signatures and GPT GUIDs are
// derived from a seed (the build's SOURCE_DATE_EPOCH and what the image holds) and a purpose
// string instead of drawn at random.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { OutputContext } from '../types';

function digest(seed: string | number, purpose: string): Buffer {
  return createHash('sha256').update(`oscompose:${seed}:${purpose}`).digest();
}

/**
 * The seed for one build's ids: the epoch plus name, cmdline and sizes of kernel and initrd, so
 * that two different systems built with the same epoch (the engine's default is 0) still get
 * different disk GUIDs, while a rebuild of the same system gets the same ones.
 */
export async function imageSeed(ctx: OutputContext): Promise<string> {
  const size = async (p?: string) => (p ? (await stat(p)).size : 0);
  return [ctx.sourceDateEpoch, ctx.name, ctx.cmdline, await size(ctx.kernel), await size(ctx.initrd), await size(ctx.ucode)].join('|');
}

/** A 32-bit value (FAT volume serial, MBR disk signature), never zero. */
export function stableU32(seed: string | number, purpose: string): number {
  return digest(seed, purpose).readUInt32BE(0) || 1;
}

/** A random-looking (version 4 layout) GUID in its on-disk mixed-endian byte order. */
export function stableGuid(seed: string | number, purpose: string): Buffer {
  const b = digest(seed, purpose).subarray(0, 16);
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
