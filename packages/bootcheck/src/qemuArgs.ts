// Pure: the qemu-system-x86_64 command line for a boot target. TCG only (no KVM on our
// machines), serial console on stdio, user-mode networking with host ports forwarded on 127.0.0.1.

export type BootTarget =
  | { kernel: string; initrd: string; cmdline?: string }
  | { iso: string; firmware?: 'bios' | 'efi' }
  | { disk: string; firmware: 'bios' | 'efi'; format?: 'raw' | 'qcow2' | 'vpc' | 'vmdk' };

export interface PortForward {
  host: number;
  guest: number;
}

export interface QemuArgsOptions {
  memoryMb: number;
  cpus?: number;
  forwards: PortForward[];
  /** Writable copy of OVMF_VARS for efi boots. */
  efiVars?: string;
  ovmfCode?: string;
}

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS.fd';

export function firmwareOf(target: BootTarget): 'bios' | 'efi' {
  if ('kernel' in target) return 'bios';
  return target.firmware ?? 'bios';
}

/** The kernel command line, with the serial console added when the caller gave none. */
export function withSerialConsole(cmdline = ''): string {
  return /(^|\s)console=/.test(cmdline) ? cmdline : `${cmdline} console=ttyS0`.trim();
}

export function qemuArgs(target: BootTarget, o: QemuArgsOptions): string[] {
  const fwd = o.forwards.map((f) => `,hostfwd=tcp:127.0.0.1:${f.host}-:${f.guest}`).join('');
  const args = [
    '-machine', 'q35', '-accel', 'tcg',
    '-m', String(o.memoryMb), '-smp', String(o.cpus ?? 1),
    '-display', 'none', '-vga', 'none', '-monitor', 'none', '-serial', 'stdio',
    '-no-reboot',
    // romfile= skips iPXE's option ROM: seconds saved on every boot under TCG. restrict=on: the
    // guest runs a user's spec and must not reach the worker's own network (slirp otherwise
    // routes 10.0.2.2 and loopback to the host's services — Redis, PostgreSQL); the forwards
    // above still work (docs/security.md).
    '-netdev', `user,id=n0,restrict=on${fwd}`, '-device', 'virtio-net-pci,netdev=n0,romfile=',
    '-device', 'virtio-rng-pci',
  ];
  if (firmwareOf(target) === 'efi') {
    if (!o.efiVars) throw new Error('efi boot needs a writable copy of OVMF_VARS (efiVars)');
    args.push('-drive', `if=pflash,format=raw,readonly=on,file=${o.ovmfCode ?? OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${o.efiVars}`);
  }
  if ('kernel' in target) {
    args.push('-kernel', target.kernel, '-initrd', target.initrd, '-append', `${withSerialConsole(target.cmdline)} panic=-1`);
  } else if ('iso' in target) {
    args.push('-drive', `file=${target.iso},media=cdrom,readonly=on,if=ide,index=0`, '-boot', 'd');
  } else {
    const format = target.format ?? (/\.qcow2$/.test(target.disk) ? 'qcow2' : 'raw');
    // snapshot=on: the boot never changes the artifact a user will download
    args.push('-drive', `file=${target.disk},format=${format},if=virtio,snapshot=on`);
  }
  return args;
}
