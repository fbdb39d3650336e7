// Output formats a build can ask for, and whether this installation has the host tools for each.
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

export interface FormatDto {
  name: string;
  available: boolean;
  missing: { tool: string; debianPackage: string }[];
}

interface FormatLike {
  name: string;
  requires: { tool: string; debianPackage: string }[];
}

// The engine's format names (packages/engine/src/outputs) and the main tool each needs. The web
// app does not import the engine (it would bundle it); a worker checks every tool again before building.
const FORMATS: FormatLike[] = [
  { name: 'kernel+initrd', requires: [] },
  { name: 'tar-kernel-initrd', requires: [] },
  { name: 'tar', requires: [] },
  { name: 'iso-bios', requires: [{ tool: 'xorriso', debianPackage: 'xorriso' }, { tool: '/usr/lib/ISOLINUX/isohdpfx.bin', debianPackage: 'isolinux' }] },
  { name: 'iso-efi', requires: [{ tool: 'xorriso', debianPackage: 'xorriso' }, { tool: 'mkfs.vfat', debianPackage: 'dosfstools' }, { tool: 'mcopy', debianPackage: 'mtools' }] },
  { name: 'raw-bios', requires: [{ tool: 'mkfs.vfat', debianPackage: 'dosfstools' }, { tool: 'mcopy', debianPackage: 'mtools' }] },
  { name: 'raw-efi', requires: [{ tool: 'mkfs.vfat', debianPackage: 'dosfstools' }, { tool: 'mcopy', debianPackage: 'mtools' }] },
  { name: 'qcow2-bios', requires: [{ tool: 'qemu-img', debianPackage: 'qemu-utils' }] },
  { name: 'qcow2-efi', requires: [{ tool: 'qemu-img', debianPackage: 'qemu-utils' }] },
  { name: 'vhd', requires: [{ tool: 'qemu-img', debianPackage: 'qemu-utils' }] },
  { name: 'vmdk', requires: [{ tool: 'qemu-img', debianPackage: 'qemu-utils' }] },
  { name: 'kernel+squashfs', requires: [{ tool: 'mksquashfs', debianPackage: 'squashfs-tools' }] },
  { name: 'uki', requires: [{ tool: '/usr/lib/systemd/boot/efi/linuxx64.efi.stub', debianPackage: 'systemd-boot-efi' }] },
];

async function onPath(tool: string): Promise<boolean> {
  const candidates = tool.includes('/') ? [tool] : (process.env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/sbin', '/sbin']).map((d) => path.join(d, tool));
  for (const c of candidates) {
    try {
      await access(c, path.isAbsolute(tool) ? constants.R_OK : constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

export async function listFormats(): Promise<FormatDto[]> {
  return Promise.all(
    FORMATS.map(async (f) => {
      const missing = [];
      for (const r of f.requires) if (!(await onPath(r.tool))) missing.push(r);
      return { name: f.name, available: missing.length === 0, missing };
    }),
  );
}
