// kernel+squashfs, as LinuxKit writes it: the kernel, the root filesystem as a squashfs image
// (without boot/, which holds the kernel itself) and the cmdline. A bootloader or hypervisor
// attaches the squashfs as a disk and adds root=<that disk> to the cmdline; see docs/formats.md.
import { copyFile, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { OutputFormat } from '../types';
import { requireKernel } from './boot-files';
import { TOOLS, runTool } from './tools';

export const kernelSquashfsFormat: OutputFormat = {
  name: 'kernel+squashfs',
  requires: [TOOLS.mksquashfs],
  // No `boot`: the artifacts hold no initrd, and booting needs a kernel with squashfs and the
  // disk driver built in (see docs/formats.md), so the worker's boot check leaves it out.
  artifacts: (name) => [`${name}-kernel`, `${name}-squashfs.img`, `${name}-cmdline`],
  async write(ctx) {
    ctx.emit({ type: 'stage', stage: 'output', message: 'kernel+squashfs: mksquashfs from the rootfs tar' });
    requireKernel('kernel+squashfs', ctx);
    const kernel = join(ctx.outDir, `${ctx.name}-kernel`);
    const squashfs = join(ctx.outDir, `${ctx.name}-squashfs.img`);
    const cmdline = join(ctx.outDir, `${ctx.name}-cmdline`);
    const tar = await ctx.rootfsTar();
    // -tar reads the archive on stdin, keeping its owners and modes (no unpacking, no root).
    // -reproducible is mksquashfs's default; in tar mode 4.5.1 gives the root directory the
    // current time whatever -root-time says, so every date is pinned with -all-time (the engine
    // writes a fixed mtime in every output anyway).
    const epoch = String(ctx.sourceDateEpoch);
    await runTool('kernel+squashfs', 'mksquashfs', [
      '-', squashfs,
      '-tar', '-noappend', '-no-progress', '-quiet',
      '-mkfs-time', epoch, '-all-time', epoch,
      '-root-mode', '0755', '-root-uid', '0', '-root-gid', '0',
      '-wildcards', '-e', 'boot', 'boot/*',
    ], { stdin: createReadStream(tar), signal: ctx.signal });
    await copyFile(ctx.kernel, kernel);
    await writeFile(cmdline, ctx.cmdline);
    return [kernel, squashfs, cmdline];
  },
};
