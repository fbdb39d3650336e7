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
let modulesDir: string;

// The virtio network driver and what it needs, in load order (modules of Debian's cloud kernel).
const NET_MODULES = ['drivers/virtio/virtio.ko', 'drivers/virtio/virtio_ring.ko', 'drivers/virtio/virtio_pci_modern_dev.ko', 'drivers/virtio/virtio_pci_legacy_dev.ko', 'drivers/virtio/virtio_pci.ko', 'net/core/failover.ko', 'drivers/net/net_failover.ko', 'drivers/net/virtio_net.ko'];

/** A gzipped newc initramfs holding busybox, the network driver and, when given, /init. */
function initramfs(name: string, init?: string, files: Record<string, string> = {}): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'bin'), { recursive: true });
  for (const d of ['proc', 'sys', 'dev', 'modules']) mkdirSync(join(root, d));
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  symlinkSync('busybox', join(root, 'bin/sh'));
  NET_MODULES.forEach((m, i) => copyFileSync(join(modulesDir, 'kernel', m), join(root, 'modules', `${i}-${m.split('/').pop()}`)));
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), content);
  }
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
  const k = testKernel();
  kernel = k.vmlinuz;
  modulesDir = k.modulesDir;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bootCheck for an init that is not ours', () => {
  it('a quiet kernel: verified by what userspace printed and an HTTP answer, answers on its console; the console keeps what came after, up to its limit', async () => {
    const init = [
      '#!/bin/busybox sh',
      'export PATH=/bin',
      '/bin/busybox --install -s /bin',
      'mount -t proc proc /proc',
      'echo "hello from a shell init"',
      'for m in /modules/*.ko; do insmod "$m"; done',
      'ifconfig lo up; ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up',
      'httpd -p 80 -h /www',
      'echo "service ready on :80"',
      'sleep 2',
      'echo "late line after the verdict"',
      // the boot check types on the serial console once it has decided (consoleInteractions)
      'read typed; echo "you typed $typed"',
      // a chatty guest: far more than the boot check keeps
      'i=0; while [ $i -lt 4000 ]; do echo "filler line $i of a chatty guest"; i=$((i+1)); done',
      'exec sleep 3600',
      '',
    ].join('\n');
    const initrd = initramfs('quiet', init, { 'www/health': 'ok from the guest\n' });
    const r = await bootCheck(
      { kernel, initrd, cmdline: 'console=ttyS0 quiet' },
      { expectations: { expect: ['hello from a shell init', '/ready on :\\d+/'], http: { port: 80, path: '/health', expect: 'ok from the guest' } }, timeoutMs: 120_000, memoryMb: 256, consoleLimitBytes: 64 * 1024, consoleInteractions: [{ send: 'hi there\n', expect: 'you typed hi there' }] },
    );
    expect(r.console).not.toContain('Run /init as init process');
    expect(r.verdict, r.console.slice(-2000)).toBe('verified');
    expect(r.ok).toBe(true);
    expect(r.expectations.map((e) => [e.kind, e.expectation, e.met, e.line?.text])).toEqual([
      ['console', 'hello from a shell init', true, 'hello from a shell init'],
      ['console', '/ready on :\\d+/', true, 'service ready on :80'],
      ['http', 'HTTP /health on guest port 80 answers 200 with "ok from the guest"', true, undefined],
    ]);
    expect(r.http).toMatchObject({ status: 200, body: 'ok from the guest\n' });
    expect(r.interactions).toEqual([{ send: 'hi there\n', expect: 'you typed hi there', ok: true }]);
    // decided once the guest answered, then kept running until the console was quiet
    expect(r.console).toContain('late line after the verdict');
    expect(r.console).toContain('filler line 1 of a chatty guest');
    expect(r.console).not.toContain('filler line 3999 of');
    expect(r.console.trimEnd().split('\n').at(-1)).toBe('[boot check: the console passed 65536 bytes; the rest was not kept]');
    expect(Buffer.byteLength(r.console)).toBeLessThan(64 * 1024 + 200);
  }, 180_000);

  it('an initramfs without /init fails, quoting the kernel panic', async () => {
    const initrd = initramfs('noinit');
    const r = await bootCheck({ kernel, initrd, cmdline: 'console=ttyS0' }, { timeoutMs: 120_000, memoryMb: 256 });
    expect(r.verdict, r.console.slice(-2000)).toBe('failed');
    expect(r.message).toMatch(/Kernel panic - not syncing: .*\(console line \d+, [\d.]+ s\)/);
    expect(r.ok).toBe(false);
  }, 180_000);
});
