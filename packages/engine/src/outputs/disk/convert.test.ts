import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stampVhdFooter, stampVmdkDescriptor, vhdChecksum } from './convert';

describe('VHD footer', () => {
  it('agrees with qemu-img on the checksum and replaces the clock and the random id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oscompose-vhd-'));
    try {
      const raw = join(dir, 'disk.img');
      writeFileSync(raw, '');
      truncateSync(raw, 4 * 1024 * 1024);
      const vhd = join(dir, 'disk.vhd');
      execFileSync('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on', raw, vhd]);
      const file = readFileSync(vhd);
      const footer = Buffer.from(file.subarray(file.length - 512));
      expect(footer.toString('latin1', 0, 8)).toBe('conectix');
      expect(vhdChecksum(footer)).toBe(footer.readUInt32BE(64));
      const a = Buffer.from(footer);
      const b = Buffer.from(footer);
      b.writeUInt32BE(12345, 24); // a different clock
      stampVhdFooter(a, 1_700_000_000);
      stampVhdFooter(b, 1_700_000_000);
      expect(a.equals(b)).toBe(true);
      expect(a.readUInt32BE(24)).toBe(1_700_000_000 - 946_684_800);
      expect(vhdChecksum(a)).toBe(a.readUInt32BE(64));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('VMDK descriptor', () => {
  it('replaces the random CID with one derived from the epoch, keeping the length', () => {
    const text = '# Disk DescriptorFile\nversion=1\nCID=1a2b3c4d\nparentCID=ffffffff\n';
    const out = stampVmdkDescriptor(text, 1_700_000_000);
    expect(out.length).toBe(text.length);
    expect(out).toMatch(/^CID=[0-9a-f]{8}$/m);
    expect(out).not.toContain('CID=1a2b3c4d');
    expect(out).toContain('parentCID=ffffffff');
    expect(stampVmdkDescriptor(out, 1_700_000_000)).toBe(out);
  });
});
