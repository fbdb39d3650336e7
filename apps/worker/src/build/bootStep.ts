// The boot step over @oscompose/bootcheck: one boot target (kernel+initrd, ISO, disk, UKI) in
// QEMU, judged by the build's expectations, in the shape the build stores. A boot that cannot
// start on this worker (no QEMU, a UKI it cannot wrap) is `not checked` with the reason, not a
// failed build.

import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { bootCheck, type BootTarget as QemuTarget } from '@oscompose/bootcheck';
import { ukiBootDisk } from '@oscompose/engine';
import type { BootResult, BootStep } from './engine';

const notChecked = (message: string): BootResult => ({ verdict: 'not checked', message, expectations: [], containers: [], durationMs: null, console: '' });

/** `timeoutMs`: the worker's limit (WORKER_BOOT_TIMEOUT_SECONDS); a build's timeoutSeconds replaces it. */
export function createBootStep(opts: { timeoutMs?: number }): BootStep {
  return {
    async check(target, { signal, workDir, expectations }): Promise<BootResult> {
      const bootDir = path.join(workDir, target.format.replace(/[^a-z0-9-]/gi, '_'));
      let input: QemuTarget;
      if (target.kernel) input = { kernel: target.kernel, initrd: target.initrd ?? '', cmdline: target.cmdline ?? '' };
      else if (target.iso) input = { iso: target.iso, firmware: target.firmware };
      else if (target.uki) {
        try {
          await mkdir(bootDir, { recursive: true });
          input = { disk: await ukiBootDisk(target.uki, bootDir), firmware: 'efi', format: 'raw' };
        } catch (err) {
          if (signal.aborted) throw err;
          return notChecked(`could not wrap the UKI in an EFI boot disk: ${(err as Error).message}`);
        }
      } else input = { disk: target.disk ?? '', firmware: target.firmware ?? 'bios', format: target.diskFormat ?? 'raw' };
      const timeoutMs = expectations?.timeoutSeconds ? expectations.timeoutSeconds * 1000 : opts.timeoutMs;
      const r = await bootCheck(input, { signal, timeoutMs, ...(expectations ? { expectations } : {}) });
      signal.throwIfAborted();
      return { verdict: r.verdict, message: r.message, expectations: r.expectations, containers: r.containers, durationMs: r.verdict === 'not checked' ? null : r.durationMs, console: r.console };
    },
  };
}
