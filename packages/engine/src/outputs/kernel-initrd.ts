// kernel+initrd: NAME-kernel, NAME-initrd.img (microcode first when the kernel image has it),
// NAME-cmdline, as `linuxkit build -format kernel+initrd` names them.
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { linkOrCopyOver } from '../initramfs/section-cache';
import type { OutputFormat } from './types';

export const kernelInitrd: OutputFormat = {
  name: 'kernel+initrd',
  requires: [],
  boot: { medium: 'kernel+initrd', firmware: 'bios' },
  artifacts: (name) => [`${name}-kernel`, `${name}-initrd.img`, `${name}-cmdline`],
  async write(ctx) {
    const out: string[] = [];
    const kernel = join(ctx.outDir, `${ctx.name}-kernel`);
    const initrd = join(ctx.outDir, `${ctx.name}-initrd.img`);
    const cmdline = join(ctx.outDir, `${ctx.name}-cmdline`);
    if (ctx.kernel) {
      // A copy: ctx.kernel may be the section cache's own file (linked into the scratch directory).
      await copyFile(ctx.kernel, kernel);
      out.push(kernel);
    }
    if (ctx.ucode) {
      const ucode = ctx.ucode;
      await pipeline(async function* () {
        for (const p of [ucode, ctx.initrd]) yield* createReadStream(p, { highWaterMark: 1 << 20 });
      }, createWriteStream(initrd));
    }
    // The initrd is this build's own scratch file: the artifact can be the same file.
    else await linkOrCopyOver(ctx.initrd, initrd);
    out.push(initrd);
    // LinuxKit writes NAME-cmdline only when there is a command line.
    if (ctx.cmdline) {
      await writeFile(cmdline, ctx.cmdline);
      out.push(cmdline);
    }
    return out;
  },
};
