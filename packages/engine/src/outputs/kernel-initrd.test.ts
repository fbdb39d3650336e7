import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTar } from '../oci/tar';
import { kernelInitrd } from './kernel-initrd';
import { tarKernelInitrd } from './tar-kernel-initrd';
import type { OutputContext } from './types';

// Pins LinuxKit's moby/build/output.go outputKernelInitrd and outputKernelInitrdTarball.
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function ctxWith(opts: { cmdline: string; ucode?: boolean }): Promise<OutputContext> {
  const dir = await mkdtemp(join(tmpdir(), 'oscompose-out-'));
  dirs.push(dir);
  const work = join(dir, 'work');
  const out = join(dir, 'out');
  await Promise.all([mkdir(work), mkdir(out)]);
  await writeFile(join(work, 'kernel'), 'KERNEL');
  await writeFile(join(work, 'initrd.img'), 'INITRD');
  if (opts.ucode) await writeFile(join(work, 'ucode.cpio'), 'UCODE');
  return {
    name: 'lk', outDir: out, workDir: work, kernel: join(work, 'kernel'), cmdline: opts.cmdline, initrd: join(work, 'initrd.img'),
    ucode: opts.ucode ? join(work, 'ucode.cpio') : undefined, rootfsTar: async () => '', sourceDateEpoch: 0, emit: () => {},
  };
}

describe('kernel+initrd (LinuxKit outputKernelInitrd)', () => {
  it('writes NAME-kernel, NAME-initrd.img and NAME-cmdline', async () => {
    const ctx = await ctxWith({ cmdline: 'console=ttyS0' });
    await kernelInitrd.write(ctx);
    expect((await readdir(ctx.outDir)).sort()).toEqual(['lk-cmdline', 'lk-initrd.img', 'lk-kernel']);
    expect(await readFile(join(ctx.outDir, 'lk-cmdline'), 'utf8')).toBe('console=ttyS0');
    expect(await readFile(join(ctx.outDir, 'lk-kernel'), 'utf8')).toBe('KERNEL');
  });

  it('puts the microcode cpio before the initrd and writes no NAME-cmdline for an empty command line', async () => {
    const ctx = await ctxWith({ cmdline: '', ucode: true });
    await kernelInitrd.write(ctx);
    expect((await readdir(ctx.outDir)).sort()).toEqual(['lk-initrd.img', 'lk-kernel']);
    expect(await readFile(join(ctx.outDir, 'lk-initrd.img'), 'utf8')).toBe('UCODEINITRD');
    expect((await stat(join(ctx.outDir, 'lk-initrd.img'))).isFile()).toBe(true);
  });
});

describe('tar-kernel-initrd (LinuxKit outputKernelInitrdTarball)', () => {
  async function members(ctx: OutputContext) {
    await tarKernelInitrd.write(ctx);
    const data = await readFile(join(ctx.outDir, 'lk-initrd.tar'));
    const out: string[] = [];
    async function* src() {
      yield data;
    }
    for await (const m of readTar(src())) {
      const parts: Buffer[] = [];
      if (m.content) for await (const c of m.content) parts.push(Buffer.from(c));
      out.push(`${m.name} ${(m.mode & 0o7777).toString(8)} ${Buffer.concat(parts).toString()}`);
    }
    return out;
  }

  it('holds kernel, initrd.img (without microcode), cmdline and ucode.cpio, 0644, in that order', async () => {
    expect(await members(await ctxWith({ cmdline: 'quiet', ucode: true }))).toEqual(['kernel 644 KERNEL', 'initrd.img 644 INITRD', 'cmdline 644 quiet', 'ucode.cpio 644 UCODE']);
  });

  it('leaves out an empty cmdline and a missing ucode', async () => {
    expect(await members(await ctxWith({ cmdline: '' }))).toEqual(['kernel 644 KERNEL', 'initrd.img 644 INITRD']);
  });
});
