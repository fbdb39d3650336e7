import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alignUp, peChecksum, readPe, sectionAddresses, stampPe, stampPeFile } from './pe';
import { EFI_STUB } from './tools';

describe('PE helpers', () => {
  it('finds where the EFI stub sections end', () => {
    const info = readPe(readFileSync(EFI_STUB));
    expect(info.endOfSections).toBeGreaterThan(0x1000);
    expect(sectionAddresses(info.endOfSections, [10, 5000, 1])).toEqual([
      alignUp(info.endOfSections, 4096),
      alignUp(info.endOfSections, 4096) + 4096,
      alignUp(info.endOfSections, 4096) + 4096 + 8192,
    ]);
  });

  it('computes the same image checksum as binutils, and stamps a fixed timestamp (in memory and streamed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oscompose-pe-'));
    try {
      writeFileSync(join(dir, 'cmdline'), 'console=ttyS0');
      const out = join(dir, 'out.efi');
      const vma = alignUp(readPe(readFileSync(EFI_STUB)).endOfSections, 4096);
      execFileSync('objcopy', ['--add-section', `.cmdline=${join(dir, 'cmdline')}`, '--change-section-vma', `.cmdline=0x${vma.toString(16)}`, EFI_STUB, out]);
      const image = readFileSync(out);
      const { optOffset, peOffset } = readPe(image);
      expect(peChecksum(image, optOffset + 64)).toBe(image.readUInt32LE(optOffset + 64));
      stampPe(image, 1_700_000_000);
      expect(image.readUInt32LE(peOffset + 8)).toBe(1_700_000_000);
      expect(image.readUInt32LE(optOffset + 64)).toBe(peChecksum(image, optOffset + 64));
      // The streamed version (what a UKI build uses) writes the same bytes, odd length included.
      for (const extra of [0, 1]) {
        writeFileSync(out + extra, Buffer.concat([readFileSync(out), Buffer.alloc(extra, 0x5a)]));
        await stampPeFile(out + extra, 1_700_000_000);
        const expected = Buffer.concat([readFileSync(out), Buffer.alloc(extra, 0x5a)]);
        stampPe(expected, 1_700_000_000);
        expect(readFileSync(out + extra).equals(expected)).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects files that are not PE32+', () => {
    expect(() => readPe(Buffer.alloc(128))).toThrow(/not a PE file/);
  });
});
