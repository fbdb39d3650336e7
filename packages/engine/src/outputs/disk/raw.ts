// Whole-disk images. raw-bios: an MBR with syslinux's boot code and one bootable FAT partition
// holding syslinux (installed with the mtools-based `syslinux`, no mount), the kernel and the
// initrd. raw-efi: a GPT with one EFI system partition holding the UKI as EFI/BOOT/BOOTX64.EFI.
// The qcow2/vhd/vmdk formats convert these, so each is built once per build and shared.
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputContext, OutputFormat } from '../types';
import { bootInitrd, requireKernel, syslinuxConfig } from './boot-files';
import { writeDiskImage } from './disk-image';
import { type FatType, makeFatImage } from './fat';
import { guidBytes, imageSeed, stableGuid, stableU32 } from './ids';
import { once } from './once';
import { SECTOR, gpt, mbr } from './partition';
import { SYSLINUX_MBR, TOOLS, runTool } from './tools';
import { UKI_REQUIRES, ukiFromContext } from './uki';

/** Partitions start at 1 MiB, as every partitioning tool aligns them today. */
export const PARTITION_START_LBA = 2048;
const MiB = 1024 * 1024;
export const ESP_TYPE_GUID = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

export const RAW_BIOS_REQUIRES = [TOOLS.mkfsFat, TOOLS.mmd, TOOLS.mcopy, TOOLS.syslinux, TOOLS.syslinuxMbr];
export const RAW_EFI_REQUIRES = [TOOLS.mkfsFat, TOOLS.mmd, TOOLS.mcopy, ...UKI_REQUIRES];

export function mbrTypeFor(fat: FatType): number {
  return fat === 32 ? 0x0c : fat === 16 ? 0x0e : 0x01;
}

/** The BIOS disk of this build (raw-bios, and the source of qcow2-bios, vhd and vmdk). */
export async function biosDisk(format: string, ctx: OutputContext): Promise<string> {
  requireKernel(format, ctx);
  return once(join(ctx.workDir, 'disk-bios.img'), async () => {
    const seed = await imageSeed(ctx);
    const part = join(ctx.workDir, 'disk-bios.part');
    const cfg = join(ctx.workDir, 'syslinux.cfg');
    await writeFile(cfg, syslinuxConfig({ kernel: '/kernel', initrd: '/initrd.img', cmdline: ctx.cmdline }));
    const { bytes, type } = await makeFatImage(format, {
      path: part,
      files: [
        { dest: 'kernel', src: ctx.kernel },
        { dest: 'initrd.img', src: await bootInitrd(ctx) },
        { dest: 'syslinux.cfg', src: cfg },
      ],
      label: 'OSCOMPOSE',
      serial: stableU32(seed, 'bios fat serial'),
      sourceDateEpoch: ctx.sourceDateEpoch,
      hiddenSectors: PARTITION_START_LBA,
      slackBytes: 2 * MiB, // ldlinux.sys and ldlinux.c32
      signal: ctx.signal,
    });
    // syslinux writes its boot sector and ldlinux.sys into the FAT image through mtools.
    await runTool(format, 'syslinux', ['--install', part], {
      env: { SOURCE_DATE_EPOCH: String(ctx.sourceDateEpoch) },
      signal: ctx.signal,
    });
    const sectors = bytes / SECTOR;
    const table = mbr({
      bootCode: await readFile(SYSLINUX_MBR),
      diskSignature: stableU32(seed, 'bios disk signature'),
      partitions: [{ startLba: PARTITION_START_LBA, sectors, type: mbrTypeFor(type), bootable: true }],
    });
    await writeDiskImage(join(ctx.workDir, 'disk-bios.img'), PARTITION_START_LBA * SECTOR + bytes, [
      { offset: 0, bytes: table },
      { offset: PARTITION_START_LBA * SECTOR, file: part },
    ]);
  });
}

export interface EfiDiskInput {
  /** The EFI executable to boot (our UKI), installed as EFI/BOOT/BOOTX64.EFI. */
  efiLoader: string;
  out: string;
  workDir: string;
  /** Seed of the disk's GUIDs and FAT serial (see ids.imageSeed). */
  seed: string;
  sourceDateEpoch: number;
  signal?: AbortSignal;
}

/** A GPT disk with one EFI system partition whose removable-media loader is `efiLoader`. */
export async function writeEfiDisk(format: string, input: EfiDiskInput): Promise<void> {
  const part = `${input.out}.part`;
  const { bytes } = await makeFatImage(format, {
    path: part,
    files: [{ dest: 'EFI/BOOT/BOOTX64.EFI', src: input.efiLoader }],
    label: 'EFI',
    serial: stableU32(input.seed, 'efi fat serial'),
    sourceDateEpoch: input.sourceDateEpoch,
    hiddenSectors: PARTITION_START_LBA,
    signal: input.signal,
  });
  // 1 MiB before the partition, 1 MiB after it (the backup GPT lives in the last 33 sectors).
  const totalSectors = PARTITION_START_LBA + bytes / SECTOR + PARTITION_START_LBA;
  const { primary, backup } = gpt({
    totalSectors,
    diskGuid: stableGuid(input.seed, 'efi disk guid'),
    partitions: [
      {
        startLba: PARTITION_START_LBA,
        sectors: bytes / SECTOR,
        typeGuid: guidBytes(ESP_TYPE_GUID),
        guid: stableGuid(input.seed, 'efi partition guid'),
        name: 'EFI system partition',
      },
    ],
  });
  await writeDiskImage(input.out, totalSectors * SECTOR, [
    { offset: 0, bytes: primary },
    { offset: PARTITION_START_LBA * SECTOR, file: part },
    { offset: (totalSectors - backup.length / SECTOR) * SECTOR, bytes: backup },
  ]);
  await rm(part, { force: true });
}

/** The EFI disk of this build (raw-efi, and the source of qcow2-efi). */
export async function efiDisk(format: string, ctx: OutputContext): Promise<string> {
  requireKernel(format, ctx);
  const out = join(ctx.workDir, 'disk-efi.img');
  return once(out, async () => {
    const uki = join(ctx.workDir, 'disk-efi-BOOTX64.EFI');
    await ukiFromContext(format, ctx, uki);
    await writeEfiDisk(format, { efiLoader: uki, out, workDir: ctx.workDir, seed: await imageSeed(ctx), sourceDateEpoch: ctx.sourceDateEpoch, signal: ctx.signal });
  });
}

export const rawBiosFormat: OutputFormat = {
  name: 'raw-bios',
  requires: RAW_BIOS_REQUIRES,
  boot: { medium: 'disk', firmware: 'bios' },
  artifacts: (name) => [`${name}-bios.img`],
  async write(ctx) {
    ctx.emit({ type: 'stage', stage: 'output', message: 'raw-bios: MBR + FAT + syslinux' });
    const out = join(ctx.outDir, `${ctx.name}-bios.img`);
    await copyFile(await biosDisk('raw-bios', ctx), out);
    return [out];
  },
};

export const rawEfiFormat: OutputFormat = {
  name: 'raw-efi',
  requires: RAW_EFI_REQUIRES,
  boot: { medium: 'disk', firmware: 'efi' },
  artifacts: (name) => [`${name}-efi.img`],
  async write(ctx) {
    ctx.emit({ type: 'stage', stage: 'output', message: 'raw-efi: GPT + EFI system partition + UKI' });
    const out = join(ctx.outDir, `${ctx.name}-efi.img`);
    await copyFile(await efiDisk('raw-efi', ctx), out);
    return [out];
  },
};
