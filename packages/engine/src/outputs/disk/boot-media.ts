// How a boot check (the worker's, or a user's QEMU) should attach each disk artifact: QEMU's
// driver for the file, and an EFI system partition disk around a bare UKI.
import { join } from 'node:path';
import { writeEfiDisk } from './raw';

/** QEMU's block driver for a disk artifact, by its LinuxKit file name. */
export function qemuDiskFormat(fileName: string): 'raw' | 'qcow2' | 'vpc' | 'vmdk' {
  if (fileName.endsWith('.qcow2')) return 'qcow2';
  if (fileName.endsWith('.vhd')) return 'vpc';
  if (fileName.endsWith('.vmdk')) return 'vmdk';
  return 'raw';
}

/**
 * A raw GPT disk (in workDir) whose EFI system partition holds `uki` as EFI/BOOT/BOOTX64.EFI:
 * what firmware needs to boot the `uki` artifact, which is a file, not a disk.
 */
export async function ukiBootDisk(uki: string, workDir: string, sourceDateEpoch = 0): Promise<string> {
  const out = join(workDir, 'uki-boot-disk.img');
  await writeEfiDisk('uki', { efiLoader: uki, out, workDir, seed: `uki-boot-disk|${uki}`, sourceDateEpoch });
  return out;
}
