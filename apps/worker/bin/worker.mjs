#!/usr/bin/env node
// The worker process. Runs the compiled worker (apps/worker/dist: an esbuild bundle made by
// `npm install`, rebuilt here first when a source changed; scripts/lib/bundle.mjs), in this
// process, so signals reach the worker's own shutdown. Where no bundle can be built it runs the
// TypeScript source through tsx and says why. `npm run dev` keeps `tsx watch` on the source.
import { ensureBundle, entryUrl } from '../../../scripts/lib/bundle.mjs';

const bundle = await ensureBundle('worker');
if (bundle.entry) {
  // Stack traces in the logs name the TypeScript sources (the bundle has a source map).
  process.setSourceMapsEnabled(true);
  await import(entryUrl(bundle.entry));
} else {
  console.error(`worker: running the TypeScript source through tsx (no bundle: ${bundle.why})`);
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
