// The boot step over @oscompose/bootcheck: one boot target (kernel+initrd, ISO, disk, UKI) in
// QEMU, judged by the build's expectations, in the shape the build stores. A boot that cannot
// start on this worker (no QEMU, a UKI it cannot wrap) is `not checked` with the reason, not a
// failed build.

import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { bootCheck, type BootTarget as QemuTarget } from '@oscompose/bootcheck';
import { ukiBootDisk } from '@oscompose/engine';
import type { BootResult, BootStep, BootTarget } from './engine';

const notChecked = (message: string): BootResult => ({ verdict: 'not checked', message, expectations: [], containers: [], durationMs: null, console: '' });

/** `timeoutMs`: the worker's limit (WORKER_BOOT_TIMEOUT_SECONDS); a build's timeoutSeconds replaces it. */
export function createBootStep(opts: { timeoutMs?: number }): BootStep {
  return {
    async check(target, { signal, workDir, expectations }): Promise<BootResult> {
      let input: QemuTarget;
      try {
        input = await qemuTarget(target, workDir);
      } catch (err) {
        if (signal.aborted) throw err;
        return notChecked((err as Error).message);
      }
      const timeoutMs = expectations?.timeoutSeconds ? expectations.timeoutSeconds * 1000 : opts.timeoutMs;
      const r = await bootCheck(input, { signal, timeoutMs, ...(expectations ? { expectations } : {}) });
      signal.throwIfAborted();
      return { verdict: r.verdict, message: r.message, expectations: r.expectations, containers: r.containers, durationMs: r.verdict === 'not checked' ? null : r.durationMs, console: r.console, ...(r.timeline ? { timeline: r.timeline } : {}) };
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
