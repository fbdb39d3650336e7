// tar: the whole root filesystem as NAME.tar (kernel under boot/, hard links kept).
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputFormat } from './types';

export const rootfsTarFormat: OutputFormat = {
  name: 'tar',
  requires: [],
  artifacts: (name) => [`${name}.tar`],
  async write(ctx) {
    const out = join(ctx.outDir, `${ctx.name}.tar`);
    await copyFile(await ctx.rootfsTar(), out);
    return [out];
  },
};
