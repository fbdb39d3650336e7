import { describe, expect, it } from 'vitest';
import { guidBytes, guidText } from './ids';
import { GPT_ARRAY_SECTORS, SECTOR, chs, crc32, gpt, mbr } from './partition';

describe('mbr', () => {
  it('writes boot code, disk signature, one bootable entry and the 0x55AA signature', () => {
    const code = Buffer.alloc(500, 0x90);
    const buf = mbr({ bootCode: code, diskSignature: 0xdeadbeef, partitions: [{ startLba: 2048, sectors: 65536, type: 0x0c, bootable: true }] });
    expect(buf.length).toBe(512);
    expect(buf.subarray(0, 440).every((b) => b === 0x90)).toBe(true); // boot code is cut at 440 bytes
    expect(buf.readUInt32LE(440)).toBe(0xdeadbeef);
    expect(buf[446]).toBe(0x80);
    expect(buf[450]).toBe(0x0c);
    expect(buf.readUInt32LE(454)).toBe(2048);
    expect(buf.readUInt32LE(458)).toBe(65536);
    expect(buf.subarray(462, 510).every((b) => b === 0)).toBe(true);
    expect(buf.readUInt16BE(510)).toBe(0x55aa);
  });

  it('encodes CHS for small LBAs and clamps beyond 1023 cylinders', () => {
    expect([...chs(2048)]).toEqual([32, 33, 0]); // cylinder 0, head 32, sector 33
    expect([...chs(100_000_000)]).toEqual([254, 0xff, 0xff]);
  });

  it('rejects a fifth primary partition', () => {
    const p = { startLba: 1, sectors: 1, type: 0x83 };
    expect(() => mbr({ diskSignature: 1, partitions: [p, p, p, p, p] })).toThrow(/four/);
  });
});

describe('gpt', () => {
  const total = 2048 + 8192 + 2048;
  const esp = guidBytes('C12A7328-F81F-11D2-BA4B-00A0C93EC93B');
  const table = gpt({
    totalSectors: total,
    diskGuid: guidBytes('01234567-89AB-4CDE-8F01-23456789ABCD'),
    partitions: [{ startLba: 2048, sectors: 8192, typeGuid: esp, guid: guidBytes('11111111-2222-4333-8444-555555555555'), name: 'EFI system partition' }],
  });

  it('starts with a protective MBR covering the disk', () => {
    const pmbr = table.primary.subarray(0, SECTOR);
    expect(pmbr[450]).toBe(0xee);
    expect(pmbr.readUInt32LE(454)).toBe(1);
    expect(pmbr.readUInt32LE(458)).toBe(total - 1);
    expect(pmbr.readUInt16BE(510)).toBe(0x55aa);
  });

  it('writes primary and backup headers whose CRCs and pointers check out', () => {
    const primary = table.primary.subarray(SECTOR, 2 * SECTOR);
    const backup = table.backup.subarray(table.backup.length - SECTOR);
    const entries = table.primary.subarray(2 * SECTOR);
    expect(table.primary.length).toBe((2 + GPT_ARRAY_SECTORS) * SECTOR);
    expect(table.backup.length).toBe((1 + GPT_ARRAY_SECTORS) * SECTOR);
    for (const [header, my, alt, entriesLba] of [
      [primary, 1, total - 1, 2],
      [backup, total - 1, 1, total - 1 - GPT_ARRAY_SECTORS],
    ] as const) {
      expect(header.toString('latin1', 0, 8)).toBe('EFI PART');
      const copy = Buffer.from(header.subarray(0, 92));
      copy.writeUInt32LE(0, 16);
      expect(header.readUInt32LE(16)).toBe(crc32(copy));
      expect(Number(header.readBigUInt64LE(24))).toBe(my);
      expect(Number(header.readBigUInt64LE(32))).toBe(alt);
      expect(Number(header.readBigUInt64LE(40))).toBe(34);
      expect(Number(header.readBigUInt64LE(48))).toBe(total - 34);
      expect(Number(header.readBigUInt64LE(72))).toBe(entriesLba);
      expect(header.readUInt32LE(88)).toBe(crc32(entries));
      expect(guidText(header.subarray(56, 72))).toBe('01234567-89AB-4CDE-8F01-23456789ABCD');
    }
    expect(table.backup.subarray(0, entries.length).equals(entries)).toBe(true);
  });

  it('describes the partition: type, bounds (inclusive end), UTF-16 name', () => {
    const entry = table.primary.subarray(2 * SECTOR, 2 * SECTOR + 128);
    expect(guidText(entry.subarray(0, 16))).toBe('C12A7328-F81F-11D2-BA4B-00A0C93EC93B');
    expect(Number(entry.readBigUInt64LE(32))).toBe(2048);
    expect(Number(entry.readBigUInt64LE(40))).toBe(2048 + 8192 - 1);
    expect(entry.toString('utf16le', 56, 56 + 40)).toBe('EFI system partition');
  });

  it('refuses a partition overlapping the backup table', () => {
    expect(() =>
      gpt({ totalSectors: 4096, diskGuid: esp, partitions: [{ startLba: 2048, sectors: 2048, typeGuid: esp, guid: esp, name: 'x' }] }),
    ).toThrow(/outside the usable sectors/);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});
