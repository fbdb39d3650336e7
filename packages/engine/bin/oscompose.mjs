#!/usr/bin/env node
// The oscompose command. Runs the compiled CLI (packages/engine/dist: an esbuild bundle made by
// `npm install`, rebuilt here first when a source changed; scripts/lib/bundle.mjs). Where no
// bundle can be built (esbuild missing, a read-only install) it runs the TypeScript source
// through tsx, as before, only slower to start. OSCOMPOSE_DEBUG=1 says why on stderr;
// OSCOMPOSE_FROM_SOURCE=1 runs the source anyway (the baseline of `npm run bench:cli`).
import { ensureBundle, entryUrl } from '../../../scripts/lib/bundle.mjs';

const bundle = process.env.OSCOMPOSE_FROM_SOURCE === '1' ? { entry: null, why: 'OSCOMPOSE_FROM_SOURCE=1' } : await ensureBundle('cli');
let main;
if (bundle.entry) {
  ({ main } = await import(entryUrl(bundle.entry)));
} else {
  if (process.env.OSCOMPOSE_DEBUG === '1') process.stderr.write(`oscompose: running the TypeScript source (no bundle: ${bundle.why})\n`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
