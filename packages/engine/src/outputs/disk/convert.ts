// Hypervisor disk formats converted from the raw disks with qemu-img: qcow2 (bios and efi), VHD
// (fixed, as Azure wants it) and VMDK (monolithic sparse). qemu-img stamps VHD and VMDK with the
// clock and random ids; those fields are rewritten from SOURCE_DATE_EPOCH afterwards.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputContext, OutputFormat } from '../types';
import { imageSeed, stableGuid, stableU32 } from './ids';
import { RAW_BIOS_REQUIRES, RAW_EFI_REQUIRES, biosDisk, efiDisk } from './raw';
import { TOOLS, runTool } from './tools';

/** Seconds between the Unix epoch and the VHD epoch (2000-01-01T00:00:00Z). */
const VHD_EPOCH = 946_684_800;

/** VHD footer checksum: the one's complement of the byte sum, checksum field excluded. */
export function vhdChecksum(footer: Buffer): number {
  let sum = 0;
  for (let i = 0; i < 512; i++) if (i < 64 || i >= 68) sum += footer[i]!;
  return ~sum >>> 0;
}

/** Replaces a VHD footer's timestamp and unique id with stable values, in place. */
export function stampVhdFooter(footer: Buffer, epoch: number, seed: string | number = epoch): void {
  if (footer.toString('latin1', 0, 8) !== 'conectix') throw new Error('not a VHD footer (no "conectix" cookie)');
  footer.writeUInt32BE(Math.max(0, epoch - VHD_EPOCH), 24);
  stableGuid(seed, 'vhd unique id').copy(footer, 68);
  footer.writeUInt32BE(vhdChecksum(footer), 64);
}

/** Replaces the random content id in a VMDK descriptor with a stable one (same length). */
export function stampVmdkDescriptor(text: string, seed: string | number): string {
  const cid = stableU32(seed, 'vmdk cid').toString(16).padStart(8, '0');
  return text.replace(/^CID=[0-9a-fA-F]{8}$/m, `CID=${cid}`);
}

async function convert(format: string, ctx: OutputContext, raw: string, out: string, target: string, options: string[]): Promise<void> {
  await runTool(format, 'qemu-img', ['convert', '-q', '-f', 'raw', '-O', target, ...options, raw, out], { signal: ctx.signal });
}

async function patchVhd(path: string, epoch: number, seed: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    const { size } = await fh.stat();
    const footer = Buffer.alloc(512);
    await fh.read(footer, 0, 512, size - 512);
    stampVhdFooter(footer, epoch, seed);
    await fh.write(footer, 0, 512, size - 512);
  } finally {
    await fh.close();
  }
}

async function patchVmdk(path: string, seed: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    // The sparse extent header says where the embedded descriptor lives (in sectors).
    const header = Buffer.alloc(512);
    await fh.read(header, 0, 512, 0);
    if (header.toString('latin1', 0, 4) !== 'KDMV') throw new Error('not a monolithic sparse VMDK');
    const offset = Number(header.readBigUInt64LE(28)) * 512;
    const length = Number(header.readBigUInt64LE(36)) * 512;
    const desc = Buffer.alloc(length);
    await fh.read(desc, 0, length, offset);
    const text = desc.toString('latin1');
    const stamped = Buffer.from(stampVmdkDescriptor(text, seed), 'latin1');
    await fh.write(stamped, 0, stamped.length, offset);
  } finally {
    await fh.close();
  }
}

export const qcow2BiosFormat: OutputFormat = {
  name: 'qcow2-bios',
  requires: [...RAW_BIOS_REQUIRES, TOOLS.qemuImg],
  boot: { medium: 'disk', firmware: 'bios' },
  artifacts: (name) => [`${name}.qcow2`],
  async write(ctx) {
    ctx.emit({ type: 'stage', stage: 'output', message: 'qcow2-bios: raw-bios disk → qcow2' });
    const out = join(ctx.outDir, `${ctx.name}.qcow2`);
    await convert('qcow2-bios', ctx, await biosDisk('qcow2-bios', ctx), out, 'qcow2', []);
    return [out];
  },
};

export const qcow2EfiFormat: OutputFormat = {
  name: 'qcow2-efi',
  requires: [...RAW_EFI_REQUIRES, TOOLS.qemuImg],
  boot: { medium: 'disk', firmware: 'efi' },
  artifacts: (name) => [`${name}-efi.qcow2`],
  async write(ctx) {
    ctx.emit({ type: 'stage', stage: 'output', message: 'qcow2-efi: raw-efi disk → qcow2' });
    const out = join(ctx.outDir, `${ctx.name}-efi.qcow2`);
    await convert('qcow2-efi', ctx, await efiDisk('qcow2-efi', ctx), out, 'qcow2', []);
    return [out];
  },
};

export const vhdFormat: OutputFormat = {
  name: 'vhd',
  requires: [...RAW_BIOS_REQUIRES, TOOLS.qemuImg],
  boot: { medium: 'disk', firmware: 'bios' },
  artifacts: (name) => [`${name}.vhd`],
  async write(ctx) {
    ctx.emit({ type: 'stage', stage: 'output', message: 'vhd: raw-bios disk → fixed VHD' });
    const out = join(ctx.outDir, `${ctx.name}.vhd`);
    // Fixed and exactly the raw size (force_size): what Azure accepts; our disks are MiB-sized.
    await convert('vhd', ctx, await biosDisk('vhd', ctx), out, 'vpc', ['-o', 'subformat=fixed,force_size=on']);
    await patchVhd(out, ctx.sourceDateEpoch, await imageSeed(ctx));
    return [out];
  },
};

export const vmdkFormat: OutputFormat = {
  name: 'vmdk',
  requires: [...RAW_BIOS_REQUIRES, TOOLS.qemuImg],
  boot: { medium: 'disk', firmware: 'bios' },
  artifacts: (name) => [`${name}.vmdk`],
  async write(ctx) {
    ctx.emit({ type: 'stage', stage: 'output', message: 'vmdk: raw-bios disk → monolithic sparse VMDK' });
    const out = join(ctx.outDir, `${ctx.name}.vmdk`);
    await convert('vmdk', ctx, await biosDisk('vmdk', ctx), out, 'vmdk', []);
    await patchVmdk(out, await imageSeed(ctx));
    return [out];
  },
};
