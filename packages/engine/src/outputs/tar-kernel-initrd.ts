// tar-kernel-initrd: NAME-initrd.tar holding kernel, initrd.img, cmdline and ucode.cpio (0644),
// as `linuxkit build -format tar-kernel-initrd` writes it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FsEntry } from '../oci/entry';
import { tarStream } from '../oci/tar';
import type { OutputFormat } from './types';

export const tarKernelInitrd: OutputFormat = {
  name: 'tar-kernel-initrd',
  requires: [],
  artifacts: (name) => [`${name}-initrd.tar`],
  async write(ctx) {
    const entries: FsEntry[] = [];
    const add = (path: string, content: Buffer) => entries.push({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, content });
    if (ctx.kernel) add('kernel', await readFile(ctx.kernel));
    add('initrd.img', await readFile(ctx.initrd));
    if (ctx.cmdline) add('cmdline', Buffer.from(ctx.cmdline));
    if (ctx.ucode) add('ucode.cpio', await readFile(ctx.ucode));
    const chunks: Buffer[] = [];
    for await (const c of tarStream(entries, { mtime: ctx.sourceDateEpoch })) chunks.push(c);
    const out = join(ctx.outDir, `${ctx.name}-initrd.tar`);
    await writeFile(out, Buffer.concat(chunks));
    return [out];
  },
};
