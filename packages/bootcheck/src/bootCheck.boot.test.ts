// bootCheck with a real kernel (Debian's cloud kernel) and an init that is not ours: a busybox
// shell script that prints what it does, no console protocol. Two boots: a quiet kernel (its
// handover lines hidden) judged by what userspace printed, and an initramfs without /init.

import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testKernel } from '@oscompose/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootCheck } from './bootCheck';

let dir: string;
let kernel: string;

/** A gzipped newc initramfs holding busybox and, when given, /init. */
function initramfs(name: string, init?: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'bin'), { recursive: true });
  for (const d of ['proc', 'sys', 'dev']) mkdirSync(join(root, d));
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  symlinkSync('busybox', join(root, 'bin/sh'));
  if (init) {
    writeFileSync(join(root, 'init'), init);
    chmodSync(join(root, 'init'), 0o755);
  }
  const out = join(dir, `${name}.img`);
  execFileSync('sh', ['-c', `cd "${root}" && find . | cpio -o -H newc --quiet | gzip -1 > "${out}"`]);
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oscompose-bootcheck-boot-'));
  kernel = testKernel().vmlinuz;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bootCheck for an init that is not ours', () => {
  it('a quiet kernel: verified by what userspace printed, and the console keeps what came after', async () => {
    const initrd = initramfs(
      'quiet',
      ['#!/bin/sh', '/bin/busybox mount -t proc proc /proc', 'echo "hello from a shell init"', '/bin/busybox sleep 2', 'echo "service ready on :8080"', '/bin/busybox sleep 1', 'echo "late line after the verdict"', 'exec /bin/busybox sleep 3600', ''].join('\n'),
    );
    const r = await bootCheck({ kernel, initrd, cmdline: 'console=ttyS0 quiet' }, { expectations: { expect: ['hello from a shell init', '/ready on :\\d+/'] }, timeoutMs: 120_000, memoryMb: 256 });
    expect(r.console).not.toContain('Run /init as init process');
    expect(r.verdict, r.console.slice(-2000)).toBe('verified');
    expect(r.ok).toBe(true);
    expect(r.expectations.map((e) => [e.expectation, e.met, e.line?.text])).toEqual([
      ['hello from a shell init', true, 'hello from a shell init'],
      ['/ready on :\\d+/', true, 'service ready on :8080'],
    ]);
    // decided at "ready", then kept running until the console was quiet
    expect(r.console).toContain('late line after the verdict');
  }, 180_000);

  it('an initramfs without /init fails, quoting the kernel panic', async () => {
    const initrd = initramfs('noinit');
    const r = await bootCheck({ kernel, initrd, cmdline: 'console=ttyS0' }, { timeoutMs: 120_000, memoryMb: 256 });
    expect(r.verdict, r.console.slice(-2000)).toBe('failed');
    expect(r.message).toMatch(/Kernel panic - not syncing: .*\(console line \d+, [\d.]+ s\)/);
    expect(r.ok).toBe(false);
  }, 180_000);
});
