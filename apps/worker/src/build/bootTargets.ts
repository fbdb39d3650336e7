// Pure: which artifacts of a build the boot check starts in QEMU, and how (kernel+initrd direct,
// ISOs as cdrom, disks with their QEMU driver, a UKI inside an EFI disk); the rest with why not.
import type { BootTarget, EngineArtifact, NotBootChecked } from './engine';

export interface BootInfo {
  medium: string;
  firmware: 'bios' | 'efi';
}

export function bootTargets(
  formats: string[],
  artifacts: Pick<EngineArtifact, 'format' | 'name' | 'path'>[],
  opts: { bootOf: (format: string) => BootInfo | undefined; qemuDiskFormat: (file: string) => 'raw' | 'qcow2' | 'vpc' | 'vmdk'; cmdline: string },
): { boot: BootTarget[]; notBootChecked: NotBootChecked[] } {
  const boot: BootTarget[] = [];
  const notBootChecked: NotBootChecked[] = [];
  for (const format of formats) {
    const info = opts.bootOf(format);
    const mine = artifacts.filter((a) => a.format === format);
    if (!mine.length) continue;
    if (!info) {
      notBootChecked.push({ format, reason: `${format} is not a bootable medium on its own (no kernel+initrd, ISO or disk to start in QEMU)` });
      continue;
    }
    if (info.medium === 'kernel+initrd') {
      const kernel = mine.find((a) => a.name.endsWith('-kernel'))?.path;
      const initrd = mine.find((a) => a.name.endsWith('-initrd.img'))?.path;
      if (kernel && initrd) boot.push({ format, kernel, initrd, cmdline: opts.cmdline, firmware: info.firmware });
      else notBootChecked.push({ format, reason: 'the build wrote no kernel and initrd pair to boot' });
    } else if (info.medium === 'cdrom') {
      boot.push({ format, iso: mine[0]!.path, firmware: info.firmware });
    } else if (info.medium === 'disk') {
      const disk = mine[0]!.path;
      boot.push({ format, disk, diskFormat: opts.qemuDiskFormat(disk), firmware: info.firmware });
    } else if (info.medium === 'uki') {
      boot.push({ format, uki: mine[0]!.path, firmware: 'efi' });
    } else {
      notBootChecked.push({ format, reason: `the boot check does not know the boot medium "${info.medium}"` });
    }
  }
  return { boot, notBootChecked };
}
