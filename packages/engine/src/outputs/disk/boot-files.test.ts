import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutputContext } from '../types';
import { bootInitrd, syslinuxConfig } from './boot-files';
import { diskFormats } from './index';
import { guidBytes, guidText, stableGuid, stableU32 } from './ids';

describe('boot files', () => {
  it('passes the spec cmdline on one APPEND line and boots without a prompt', () => {
    const cfg = syslinuxConfig({ kernel: '/boot/kernel', initrd: '/boot/initrd.img', cmdline: 'console=ttyS0\n  console=tty0 ' });
    expect(cfg).toContain('  APPEND console=ttyS0 console=tty0\n');
    expect(cfg).toContain('PROMPT 0');
    expect(cfg).toContain('  INITRD /boot/initrd.img');
  });

  it('puts the microcode cpio before the initrd', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oscompose-initrd-'));
    try {
      writeFileSync(join(dir, 'ucode.cpio'), 'UCODE');
      writeFileSync(join(dir, 'initrd.img'), 'INITRD');
      const ctx = { workDir: dir, initrd: join(dir, 'initrd.img') } as OutputContext;
      expect(await bootInitrd(ctx)).toBe(join(dir, 'initrd.img'));
      const path = await bootInitrd({ ...ctx, ucode: join(dir, 'ucode.cpio') });
      expect(readFileSync(path, 'utf8')).toBe('UCODEINITRD');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('formats without a kernel', () => {
  it('fail with a message that says to add a kernel section', async () => {
    const ctx = { kernel: '', name: 'x', outDir: tmpdir(), workDir: tmpdir(), emit: () => {} } as unknown as OutputContext;
    for (const format of diskFormats) {
      await expect(format.write(ctx), format.name).rejects.toThrow(/no kernel.*add a kernel section/);
    }
  });
});

describe('stable ids', () => {
  it('are the same for the same epoch and differ by purpose and epoch', () => {
    expect(stableU32(1, 'a')).toBe(stableU32(1, 'a'));
    expect(stableU32(1, 'a')).not.toBe(stableU32(1, 'b'));
    expect(stableGuid(1, 'a').equals(stableGuid(2, 'a'))).toBe(false);
    expect(guidText(stableGuid(1, 'a'))).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
  });

  it('round-trips GUID text through the on-disk byte order', () => {
    const text = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
    expect(guidBytes(text).subarray(0, 4).toString('hex')).toBe('28732ac1');
    expect(guidText(guidBytes(text))).toBe(text);
  });
});
