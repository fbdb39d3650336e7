// The boot step over @oscompose/bootcheck: one boot target (kernel+initrd, ISO, disk, UKI) in
// QEMU, its result in the shape the build stores. A boot that cannot start (no QEMU, a UKI that
// cannot be wrapped) is a failed check with the reason, not a failed build.

import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { bootCheck, type BootTarget as QemuTarget } from '@oscompose/bootcheck';
import { ukiBootDisk } from '@oscompose/engine';
import type { BootResult, BootStep } from './engine';

export function createBootStep(opts: { timeoutMs?: number }): BootStep {
  return {
    async check(target, { signal, workDir }): Promise<BootResult> {
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
          return { ok: false, error: `could not wrap the UKI in an EFI boot disk: ${(err as Error).message}` };
        }
      } else input = { disk: target.disk ?? '', firmware: target.firmware ?? 'bios', format: target.diskFormat ?? 'raw' };
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
