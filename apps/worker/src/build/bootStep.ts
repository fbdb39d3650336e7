// The boot step over @oscompose/bootcheck: one boot target (kernel+initrd, ISO, disk, UKI) in
// QEMU, its result in the shape the build stores. A boot that cannot start (no QEMU, a UKI that
// cannot be wrapped) is a failed check with the reason, not a failed build.

import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { bootCheck, type BootTarget as QemuTarget } from '@oscompose/bootcheck';
import { ukiBootDisk } from '@oscompose/engine';
import type { BootResult, BootStep, BootTarget } from './engine';

export function createBootStep(opts: { timeoutMs?: number }): BootStep {
  return {
    async check(target, { signal, workDir }): Promise<BootResult> {
      let input: QemuTarget;
      try {
        input = await qemuTarget(target, workDir);
      } catch (err) {
        if (signal.aborted) throw err;
        return { ok: false, error: (err as Error).message };
      }
      try {
        const r = await bootCheck(input, { signal, timeoutMs: opts.timeoutMs });
        return { ok: r.ok, bootComplete: r.bootComplete, durationMs: r.durationMs, containers: r.containers, console: r.console, http: r.http, error: r.error };
      } catch (err) {
        if (signal.aborted) throw err;
        if ((err as { name?: string }).name === 'BootCheckError' || /qemu/i.test((err as Error).message)) {
          return { ok: false, error: (err as Error).message };
        }
        throw err;
      }
    },
  };
}

/**
 * What QEMU starts for a boot target: kernel+initrd direct, an ISO, a disk with its driver; a
 * bare UKI is first wrapped in an EFI system partition disk under `workDir` (the testdrive boots
 * the same way).
 */
export async function qemuTarget(target: BootTarget, workDir: string): Promise<QemuTarget> {
  if (target.kernel) return { kernel: target.kernel, initrd: target.initrd ?? '', cmdline: target.cmdline ?? '' };
  if (target.iso) return { iso: target.iso, firmware: target.firmware };
  if (target.uki) {
    const bootDir = path.join(workDir, target.format.replace(/[^a-z0-9-]/gi, '_'));
    try {
      await mkdir(bootDir, { recursive: true });
      return { disk: await ukiBootDisk(target.uki, bootDir), firmware: 'efi', format: 'raw' };
    } catch (err) {
      throw new Error(`could not wrap the UKI in an EFI boot disk: ${(err as Error).message}`);
    }
  }
  return { disk: target.disk ?? '', firmware: target.firmware ?? 'bios', format: target.diskFormat ?? 'raw' };
}
