// What every bootable format puts next to the kernel: the initrd (microcode first when the kernel
// ships it), and the syslinux/isolinux configuration that passes the spec's cmdline.
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { OutputContext } from '../types';
import { once } from './once';
import { DiskImageError } from './tools';

/**
 * The initrd a bootloader should load. The kernel reads an uncompressed microcode cpio only at
 * the very start of the initramfs, so with ucode the two are concatenated, ucode first.
 */
export async function bootInitrd(ctx: OutputContext): Promise<string> {
  if (!ctx.ucode) return ctx.initrd;
  const ucode = ctx.ucode;
  return once(join(ctx.workDir, 'initrd-with-ucode.img'), async () => {
    const path = join(ctx.workDir, 'initrd-with-ucode.img');
    await copyFile(ucode, path);
    await pipeline(createReadStream(ctx.initrd), createWriteStream(path, { flags: 'a' }));
  });
}

/** Every bootable format needs the spec's kernel section; say so instead of failing in a tool. */
export function requireKernel(format: string, ctx: OutputContext): void {
  if (!ctx.kernel) throw new DiskImageError(format, 'the spec has no kernel, so there is nothing to boot', 'add a kernel section (image and cmdline) to the spec');
}

/** The cmdline as one line (bootloader configs and the UKI's .cmdline cannot hold newlines). */
export function oneLineCmdline(cmdline: string): string {
  return cmdline.replace(/\s+/g, ' ').trim();
}

/**
 * syslinux/isolinux configuration: boot at once (no menu, no prompt) with the spec's cmdline,
 * loader messages on the first serial port too, so a headless machine shows them.
 */
export function syslinuxConfig(opts: { kernel: string; initrd: string; cmdline: string }): string {
  return [
    'SERIAL 0 115200',
    'DEFAULT linux',
    'PROMPT 0',
    'TIMEOUT 0',
    'LABEL linux',
    `  KERNEL ${opts.kernel}`,
    `  INITRD ${opts.initrd}`,
    `  APPEND ${oneLineCmdline(opts.cmdline)}`,
    '',
  ].join('\n');
}
