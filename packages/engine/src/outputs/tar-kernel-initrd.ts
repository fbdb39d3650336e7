// tar-kernel-initrd: NAME-initrd.tar holding kernel, initrd.img, cmdline and ucode.cpio (0644),
// as `linuxkit build -format tar-kernel-initrd` writes it.
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FsEntry } from '../oci/entry';
import { tarStream } from '../oci/tar';
import type { OutputFormat } from './types';

export const tarKernelInitrd: OutputFormat = {
  name: 'tar-kernel-initrd',
  requires: [],
  artifacts: (name) => [`${name}-initrd.tar`],
  async write(ctx) {
    // Each file streams from disk into the tar (an initrd can be large).
    const entries: FsEntry[] = [];
    const file = (path: string, size: number, content: FsEntry['content']) => entries.push({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, size, content });
    const fromDisk = async (path: string, from: string) => file(path, (await stat(from)).size, { [Symbol.asyncIterator]: () => createReadStream(from, { highWaterMark: 1 << 20 })[Symbol.asyncIterator]() });
    if (ctx.kernel) await fromDisk('kernel', ctx.kernel);
    await fromDisk('initrd.img', ctx.initrd);
    if (ctx.cmdline) file('cmdline', Buffer.byteLength(ctx.cmdline), Buffer.from(ctx.cmdline));
    if (ctx.ucode) await fromDisk('ucode.cpio', ctx.ucode);
    const out = join(ctx.outDir, `${ctx.name}-initrd.tar`);
    await pipeline(Readable.from(tarStream(entries, { mtime: ctx.sourceDateEpoch })), createWriteStream(out));
    return [out];
  },
};
