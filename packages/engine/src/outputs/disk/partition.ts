// Partition tables as bytes: an MBR (for BIOS disks) and a GPT with its protective MBR (for EFI
// disks). Pure functions, so disk images need no sfdisk, no loop device and no root.

export const SECTOR = 512;

export interface MbrPartition {
  startLba: number;
  sectors: number;
  /** Partition type byte, e.g. 0x0c FAT32 LBA, 0x0e FAT16 LBA, 0xef EFI system, 0xee GPT protective. */
  type: number;
  bootable?: boolean;
}

/** Cylinder/head/sector triple as MBR entries store it (255 heads, 63 sectors; clamped at 1023). */
export function chs(lba: number): Buffer {
  const heads = 255;
  const spt = 63;
  let c = Math.floor(lba / (heads * spt));
  let h = Math.floor(lba / spt) % heads;
  let s = (lba % spt) + 1;
  if (c > 1023) [c, h, s] = [1023, 254, 63];
  return Buffer.from([h, (s & 0x3f) | ((c >> 2) & 0xc0), c & 0xff]);
}

/** One 512-byte master boot record: boot code (at most 440 bytes), disk signature, four entries. */
export function mbr(opts: { bootCode?: Buffer; diskSignature: number; partitions: MbrPartition[] }): Buffer {
  if (opts.partitions.length > 4) throw new Error('an MBR holds at most four primary partitions');
  const buf = Buffer.alloc(SECTOR);
  if (opts.bootCode) opts.bootCode.copy(buf, 0, 0, Math.min(440, opts.bootCode.length));
  buf.writeUInt32LE(opts.diskSignature >>> 0, 440);
  opts.partitions.forEach((p, i) => {
    const at = 446 + i * 16;
    buf[at] = p.bootable ? 0x80 : 0x00;
    chs(p.startLba).copy(buf, at + 1);
    buf[at + 4] = p.type;
    chs(p.startLba + p.sectors - 1).copy(buf, at + 5);
    buf.writeUInt32LE(Math.min(p.startLba, 0xffffffff), at + 8);
    buf.writeUInt32LE(Math.min(p.sectors, 0xffffffff), at + 12);
  });
  buf[510] = 0x55;
  buf[511] = 0xaa;
  return buf;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as GPT uses it). */
export function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface GptPartition {
  startLba: number;
  sectors: number;
  typeGuid: Buffer; // on-disk byte order (see ids.guidBytes)
  guid: Buffer;
  name: string;
  attributes?: bigint;
}

export const GPT_ENTRIES = 128;
export const GPT_ENTRY_SIZE = 128;
/** Sectors taken by one copy of the partition entry array (128 × 128 bytes). */
export const GPT_ARRAY_SECTORS = (GPT_ENTRIES * GPT_ENTRY_SIZE) / SECTOR;

function gptHeader(o: {
  myLba: number;
  alternateLba: number;
  firstUsable: number;
  lastUsable: number;
  diskGuid: Buffer;
  entriesLba: number;
  entriesCrc: number;
}): Buffer {
  const h = Buffer.alloc(SECTOR);
  h.write('EFI PART', 0, 'latin1');
  h.writeUInt32LE(0x00010000, 8);
  h.writeUInt32LE(92, 12);
  h.writeBigUInt64LE(BigInt(o.myLba), 24);
  h.writeBigUInt64LE(BigInt(o.alternateLba), 32);
  h.writeBigUInt64LE(BigInt(o.firstUsable), 40);
  h.writeBigUInt64LE(BigInt(o.lastUsable), 48);
  o.diskGuid.copy(h, 56);
  h.writeBigUInt64LE(BigInt(o.entriesLba), 72);
  h.writeUInt32LE(GPT_ENTRIES, 80);
  h.writeUInt32LE(GPT_ENTRY_SIZE, 84);
  h.writeUInt32LE(o.entriesCrc, 88);
  h.writeUInt32LE(crc32(h.subarray(0, 92)), 16);
  return h;
}

/**
 * A GUID partition table for a disk of totalSectors: `primary` covers LBA 0–33 (protective MBR,
 * header, entry array), `backup` the last 33 sectors (entry array, backup header).
 */
export function gpt(opts: { totalSectors: number; diskGuid: Buffer; partitions: GptPartition[] }): { primary: Buffer; backup: Buffer } {
  const total = opts.totalSectors;
  const firstUsable = 2 + GPT_ARRAY_SECTORS;
  const lastUsable = total - 2 - GPT_ARRAY_SECTORS;
  const entries = Buffer.alloc(GPT_ENTRIES * GPT_ENTRY_SIZE);
  opts.partitions.forEach((p, i) => {
    const end = p.startLba + p.sectors - 1;
    if (p.startLba < firstUsable || end > lastUsable) {
      throw new Error(`partition ${i + 1} (${p.startLba}–${end}) lies outside the usable sectors ${firstUsable}–${lastUsable}`);
    }
    const at = i * GPT_ENTRY_SIZE;
    p.typeGuid.copy(entries, at);
    p.guid.copy(entries, at + 16);
    entries.writeBigUInt64LE(BigInt(p.startLba), at + 32);
    entries.writeBigUInt64LE(BigInt(end), at + 40);
    entries.writeBigUInt64LE(p.attributes ?? 0n, at + 48);
    entries.write(p.name.slice(0, 36), at + 56, 'utf16le');
  });
  const entriesCrc = crc32(entries);
  const protective = mbr({
    diskSignature: 0,
    partitions: [{ startLba: 1, sectors: Math.min(total - 1, 0xffffffff), type: 0xee }],
  });
  const primaryHeader = gptHeader({ myLba: 1, alternateLba: total - 1, firstUsable, lastUsable, diskGuid: opts.diskGuid, entriesLba: 2, entriesCrc });
  const backupHeader = gptHeader({
    myLba: total - 1,
    alternateLba: 1,
    firstUsable,
    lastUsable,
    diskGuid: opts.diskGuid,
    entriesLba: total - 1 - GPT_ARRAY_SECTORS,
    entriesCrc,
  });
  return {
    primary: Buffer.concat([protective, primaryHeader, entries]),
    backup: Buffer.concat([entries, backupHeader]),
  };
}
