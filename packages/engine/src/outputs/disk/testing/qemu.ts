// Test fixture: boots an artifact in QEMU (TCG) with the console on the serial port and returns
// what the machine printed. Until packages/bootcheck lands, the disk format tests use this.
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireHostTool } from '../../../../../../scripts/lib/host-packages.mjs';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS.fd';

export type BootMedium =
  | { cdrom: string }
  | { disk: string; format: 'raw' | 'qcow2' | 'vpc' | 'vmdk' }
  | { kernel: string; initrd: string; cmdline: string; disk?: string }
  /** A directory served as a FAT drive (QEMU vvfat), e.g. an ESP holding a UKI. */
  | { esp: string };

export interface BootOptions {
  firmware: 'bios' | 'efi';
  workDir: string;
  /** Give up (and kill QEMU) after this long; the machine normally powers itself off. */
  timeoutMs?: number;
  /** Stop as soon as this text appears. */
  until?: string;
  memoryMiB?: number;
  /** A virtio NIC on QEMU's user network (for systems that configure eth0 at boot). */
  nic?: boolean;
}

export function qemuArgs(medium: BootMedium, opts: BootOptions): string[] {
  const args = ['-m', String(opts.memoryMiB ?? 512), '-display', 'none', '-no-reboot', '-serial', 'stdio', '-monitor', 'none'];
  if (opts.nic) args.push('-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0,romfile=');
  else args.push('-net', 'none');
  if (opts.firmware === 'efi') {
    const vars = join(opts.workDir, 'OVMF_VARS.fd');
    copyFileSync(OVMF_VARS, vars);
    args.push('-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${vars}`);
  }
  if ('cdrom' in medium) args.push('-cdrom', medium.cdrom);
  else if ('esp' in medium) args.push('-drive', `file=fat:${medium.esp},format=raw,snapshot=on`);
  else if ('kernel' in medium) {
    args.push('-kernel', medium.kernel, '-initrd', medium.initrd, '-append', medium.cmdline);
    if (medium.disk) args.push('-drive', `file=${medium.disk},format=raw,if=virtio,readonly=on`);
  } else args.push('-drive', `file=${medium.disk},format=${medium.format},snapshot=on`);
  return args;
}

export function boot(medium: BootMedium, opts: BootOptions): Promise<{ output: string; timedOut: boolean; args: string[] }> {
  requireHostTool('qemu-system-x86_64');
  if (opts.firmware === 'efi') requireHostTool(OVMF_CODE);
  const args = qemuArgs(medium, opts);
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 240_000);
    const onData = (d: Buffer) => {
      output += d.toString('latin1');
      if (opts.until && output.includes(opts.until)) setTimeout(() => child.kill('SIGKILL'), 200);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run qemu-system-x86_64 (apt-get install qemu-system-x86): ${e.message}`));
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ output, timedOut, args });
    });
  });
}
