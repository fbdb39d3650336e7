// Bootable ISO 9660 images made with xorriso. iso-bios: isolinux with an isohybrid MBR, so the
// same file boots as a CD and written to a USB stick. iso-efi: an El Torito EFI boot image (a FAT
// image holding the UKI as EFI/BOOT/BOOTX64.EFI, stored as /boot/efiboot.img) that a GPT entry
// also points at, so it too boots as a CD and as a disk. SOURCE_DATE_EPOCH fixes xorriso's
// volume dates and UUIDs.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputContext, OutputFormat } from '../types';
import { bootInitrd, requireKernel, syslinuxConfig } from './boot-files';
import { makeFatImage } from './fat';
import { imageSeed, stableU32 } from './ids';
import { ISOHYBRID_MBR, ISOLINUX_BIN, LDLINUX_C32, TOOLS, runTool } from './tools';
import { UKI_REQUIRES, ukiFromContext } from './uki';

/** ISO 9660 volume ids allow A–Z, 0–9 and _ (d-characters), at most 32. */
export function volumeId(name: string, suffix = ''): string {
  const base = name.toUpperCase().replace(/[^A-Z0-9_]/g, '_').slice(0, 32 - suffix.length);
  return (base || 'OSCOMPOSE') + suffix;
}

function reproducibleArgs(ctx: OutputContext): string[] {
  // Every file gets the epoch as its date and rationalized Rock Ridge ownership/modes (-r), so
  // the host's mtimes and umask never leak into the image.
  return ['--set_all_file_dates', `=${ctx.sourceDateEpoch}`, '-r', '-J', '-joliet-long'];
}

/**
 * Native xorriso commands after the mkisofs options: --set_all_file_dates leaves the directories
 * (grafted or implied by a graft) with the current time, so every node's dates are set again.
 */
function pinAllDates(ctx: OutputContext): string[] {
  const at = `=${ctx.sourceDateEpoch}`;
  return ['--', '-alter_date_r', 'b', at, '/', '--', '-alter_date_r', 'c', at, '/', '--'];
}

function xorrisoEnv(ctx: OutputContext): Record<string, string> {
  return { SOURCE_DATE_EPOCH: String(ctx.sourceDateEpoch) };
}

export interface IsoBiosInput {
  out: string;
  kernel: string;
  initrd: string;
  cmdline: string;
  volumeId: string;
  stageDir: string;
}

/** xorriso arguments for a hybrid isolinux ISO; kernel and initrd are grafted, not copied. */
export function isoBiosArgs(input: IsoBiosInput): string[] {
  return [
    '-as', 'mkisofs',
    '-o', input.out,
    '-V', input.volumeId,
    '-isohybrid-mbr', ISOHYBRID_MBR,
    '-c', 'isolinux/boot.cat',
    '-b', 'isolinux/isolinux.bin',
    '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table',
    '-graft-points',
    `isolinux/=${input.stageDir}`,
    `boot/kernel=${input.kernel}`,
    `boot/initrd.img=${input.initrd}`,
  ];
}

export const isoBiosFormat: OutputFormat = {
  name: 'iso-bios',
  requires: [TOOLS.xorriso, TOOLS.isolinux, TOOLS.isohybridMbr, TOOLS.ldlinux],
  boot: { medium: 'cdrom', firmware: 'bios' },
  artifacts: (name) => [`${name}.iso`],
  async write(ctx) {
    requireKernel('iso-bios', ctx);
    const out = join(ctx.outDir, `${ctx.name}.iso`);
    const stageDir = join(ctx.workDir, 'iso-bios-isolinux');
    await mkdir(stageDir, { recursive: true });
    // isolinux.bin is patched in the image (-boot-info-table); xorriso leaves the source alone.
    await copyFile(ISOLINUX_BIN, join(stageDir, 'isolinux.bin'));
    await copyFile(LDLINUX_C32, join(stageDir, 'ldlinux.c32'));
    await writeFile(join(stageDir, 'isolinux.cfg'), syslinuxConfig({ kernel: '/boot/kernel', initrd: '/boot/initrd.img', cmdline: ctx.cmdline }));
    ctx.emit({ type: 'stage', stage: 'output', message: 'iso-bios: xorriso + isolinux (hybrid)' });
    const args = isoBiosArgs({ out, kernel: ctx.kernel, initrd: await bootInitrd(ctx), cmdline: ctx.cmdline, volumeId: volumeId(ctx.name), stageDir });
    // -report_about must come before -as mkisofs (it is a native xorriso command).
    await runTool('iso-bios', 'xorriso', ['-report_about', 'WARNING', ...args.slice(0, 2), ...reproducibleArgs(ctx), ...args.slice(2), ...pinAllDates(ctx)], {
      env: xorrisoEnv(ctx),
      signal: ctx.signal,
    });
    return [out];
  },
};

export const isoEfiFormat: OutputFormat = {
  name: 'iso-efi',
  requires: [TOOLS.xorriso, TOOLS.mkfsFat, TOOLS.mmd, TOOLS.mcopy, ...UKI_REQUIRES],
  boot: { medium: 'cdrom', firmware: 'efi' },
  artifacts: (name) => [`${name}-efi.iso`],
  async write(ctx) {
    const out = join(ctx.outDir, `${ctx.name}-efi.iso`);
    const uki = join(ctx.workDir, 'iso-efi-BOOTX64.EFI');
    ctx.emit({ type: 'stage', stage: 'output', message: 'iso-efi: UKI in an El Torito EFI image' });
    await ukiFromContext('iso-efi', ctx, uki);
    const efiImage = join(ctx.workDir, 'iso-efi-efiboot.img');
    await makeFatImage('iso-efi', {
      path: efiImage,
      files: [{ dest: 'EFI/BOOT/BOOTX64.EFI', src: uki }],
      label: 'OSCOMPOSE',
      serial: stableU32(await imageSeed(ctx), 'iso-efi fat serial'),
      sourceDateEpoch: ctx.sourceDateEpoch,
      slackBytes: 256 * 1024,
      signal: ctx.signal,
    });
    // The EFI image lives inside the ISO 9660 volume, as its last file: an El Torito entry holds
    // at most 65535 × 512 bytes (32 MiB), and for a bigger image xorriso records 0, which UEFI
    // firmware reads as "up to the end of the volume". An image appended after the volume
    // (-append_partition) then boots from a disk but not from a CD.
    const emptyTree = join(ctx.workDir, 'iso-efi-tree');
    await mkdir(emptyTree, { recursive: true });
    await runTool('iso-efi', 'xorriso', [
      '-report_about', 'FAILURE',
      '-as', 'mkisofs',
      ...reproducibleArgs(ctx),
      '-o', out,
      '-V', volumeId(ctx.name, '_EFI'),
      '-graft-points',
      '-e', 'boot/efiboot.img',
      '-no-emul-boot',
      // A GPT entry (EFI system partition) for the same bytes: boots from a USB stick too.
      '-efi-boot-part', '--efi-boot-image',
      `/=${emptyTree}`,
      `boot/efiboot.img=${efiImage}`,
      ...pinAllDates(ctx),
    ], { env: xorrisoEnv(ctx), signal: ctx.signal });
    return [out];
  },
};
