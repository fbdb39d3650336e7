// Integration: every disk format is built twice from a real Debian kernel and a busybox initrd,
// must come out byte-identical, and must boot under QEMU (SeaBIOS or OVMF, TCG) to our init,
// which prints the cmdline it was given.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputContext, OutputFormat } from '../types';
import { availableFormats, describeMissing, diskFormats, missingTools } from './index';
import { BOOT_MARKER, markerInitrd, markerRootfsTar, paddedMarkerInitrd, squashfsLoaderInitrd } from './testing/initrd';
import { type TestKernel, testKernel } from './testing/kernel';
import { type BootMedium, boot } from './testing/qemu';

const EPOCH = 1_700_000_000;
const CMDLINE = 'console=ttyS0 panic=-1 oscompose.test=disk-formats';

let root: string;
let kernel: TestKernel;
let initrd: string;
let rootfsTar: string;

function context(format: string, run: 'a' | 'b'): OutputContext {
  const dir = join(root, format.replace(/\W/g, '_'), run);
  const outDir = join(dir, 'out');
  const workDir = join(dir, 'work');
  mkdirSync(outDir, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  // The second build reads copies at other paths with other mtimes: neither may leak into artifacts.
  const input = (path: string, name: string) => {
    if (run === 'a') return path;
    const copy = join(dir, name);
    copyFileSync(path, copy);
    utimesSync(copy, new Date(), new Date());
    return copy;
  };
  return {
    name: 'testos',
    outDir,
    workDir,
    kernel: input(kernel.vmlinuz, 'vmlinuz'),
    cmdline: CMDLINE,
    initrd: input(initrd, 'initrd.img'),
    rootfsTar: async () => input(rootfsTar, 'rootfs.tar'),
    sourceDateEpoch: EPOCH,
    emit: () => {},
  };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function mediumFor(format: OutputFormat, files: string[], ctx: OutputContext): BootMedium {
  const [first] = files as [string];
  switch (format.name) {
    case 'iso-bios':
    case 'iso-efi':
      return { cdrom: first };
    case 'raw-bios':
    case 'raw-efi':
      return { disk: first, format: 'raw' };
    case 'qcow2-bios':
    case 'qcow2-efi':
      return { disk: first, format: 'qcow2' };
    case 'vhd':
      return { disk: first, format: 'vpc' };
    case 'vmdk':
      return { disk: first, format: 'vmdk' };
    case 'uki': {
      // Firmware finds the UKI where it finds any removable-media loader.
      const esp = join(ctx.workDir, 'esp');
      mkdirSync(join(esp, 'EFI', 'BOOT'), { recursive: true });
      rmSync(join(esp, 'EFI', 'BOOT', 'BOOTX64.EFI'), { force: true });
      copyFileSync(first, join(esp, 'EFI', 'BOOT', 'BOOTX64.EFI'));
      return { esp };
    }
    case 'kernel+squashfs': {
      const [k, squashfs, cmdlineFile] = files as [string, string, string];
      const cmdline = `${readFileSync(cmdlineFile, 'utf8')} root=/dev/vda`;
      return { kernel: k, initrd: squashfsLoaderInitrd(ctx.workDir, kernel), cmdline, disk: squashfs };
    }
    default:
      throw new Error(`no boot medium for ${format.name}`);
  }
}

beforeAll(() => {
  const missing = missingTools();
  if (missing.length) throw new Error(`disk format tools missing:\n${describeMissing(missing).join('\n')}`);
  root = mkdtempSync(join(tmpdir(), 'oscompose-disk-'));
  kernel = testKernel();
  initrd = markerInitrd(root);
  rootfsTar = markerRootfsTar(root);
});

afterAll(() => {
  if (root && !process.env.OSCOMPOSE_KEEP_TEST_OUTPUT) rmSync(root, { recursive: true, force: true });
});

describe('disk formats', () => {
  it('this host can build every disk format', () => {
    expect(availableFormats().map((f) => f.name)).toEqual(diskFormats.map((f) => f.name));
  });

  it('the disks of one build share one image: qcow2, vhd and vmdk hold exactly raw-bios, qcow2-efi raw-efi', { timeout: 600_000 }, async () => {
    const ctx = context('shared', 'a');
    const written: Record<string, string> = {};
    for (const name of ['raw-bios', 'qcow2-bios', 'vhd', 'vmdk', 'raw-efi', 'qcow2-efi']) {
      const format = diskFormats.find((f) => f.name === name)!;
      written[name] = (await format.write(ctx))[0]!;
    }
    const compare = (a: string, fa: string, b: string, fb: string) =>
      execFileSync('qemu-img', ['compare', '-q', '-f', fa, '-F', fb, a, b], { encoding: 'utf8' });
    // qemu-img compare exits non-zero (and execFileSync throws) when the contents differ.
    compare(written['raw-bios']!, 'raw', written['qcow2-bios']!, 'qcow2');
    compare(written['raw-bios']!, 'raw', written.vhd!, 'vpc');
    compare(written['raw-bios']!, 'raw', written.vmdk!, 'vmdk');
    compare(written['raw-efi']!, 'raw', written['qcow2-efi']!, 'qcow2');

    // Another system with the same epoch gets another GPT disk GUID (LBA 1, offset 56).
    const other = { ...context('shared', 'b'), cmdline: `${CMDLINE} another-system` };
    const otherDisk = (await diskFormats.find((f) => f.name === 'raw-efi')!.write(other))[0]!;
    const diskGuid = (path: string) => readFileSync(path).subarray(512 + 56, 512 + 72).toString('hex');
    expect(diskGuid(otherDisk)).not.toBe(diskGuid(written['raw-efi']!));
  });

  it('iso-efi with a UKI over 32 MiB (more than El Torito can count) still boots as a CD', { timeout: 600_000 }, async () => {
    const ctx = { ...context('iso-efi-large', 'a'), initrd: paddedMarkerInitrd(join(root, 'iso-efi-large'), 40 * 1024 * 1024) };
    const [iso] = (await diskFormats.find((f) => f.name === 'iso-efi')!.write(ctx)) as [string];
    expect(statSync(iso).size).toBeGreaterThan(40 * 1024 * 1024);
    const result = await boot({ cdrom: iso }, { firmware: 'efi', workDir: ctx.workDir, memoryMiB: 1024, timeoutMs: 300_000 });
    const line = result.output.split('\n').find((l) => l.includes(BOOT_MARKER));
    expect(line, result.output.slice(-3000)).toContain(`cmdline=[${CMDLINE}]`);
  });

  for (const format of diskFormats) {
    it(`${format.name}: reproducible and boots under ${format.boot?.firmware === 'efi' ? 'OVMF' : 'SeaBIOS'}`, { timeout: 600_000 }, async () => {
      const first = context(format.name, 'a');
      const files = await format.write(first);
      expect(files.map((f) => f.slice(first.outDir.length + 1))).toEqual(format.artifacts('testos'));
      for (const f of files) expect(statSync(f).size).toBeGreaterThan(0);

      // Tools stamp dates in whole seconds: let the clock move on before building again.
      await new Promise((r) => setTimeout(r, 1100));
      const second = context(format.name, 'b');
      const again = await format.write(second);
      expect(again.map(sha256)).toEqual(files.map(sha256));

      const result = await boot(mediumFor(format, files, first), {
        firmware: format.boot?.firmware ?? 'bios',
        workDir: first.workDir,
        timeoutMs: 300_000,
      });
      const line = result.output.split('\n').find((l) => l.includes(BOOT_MARKER));
      expect(line, `no boot marker; qemu ${result.args.join(' ')}\n${result.output.slice(-3000)}`).toBeDefined();
      expect(line).toContain(CMDLINE);
      if (format.name === 'kernel+squashfs') expect(line).toContain('root=squashfs');
    });
  }
});
