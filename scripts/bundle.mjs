#!/usr/bin/env node
// `npm run bundle` (and `npm install`'s postinstall): builds the compiled CLI and worker
// (scripts/lib/bundle.mjs) when a source changed since the last build.
//
//   node scripts/bundle.mjs [cli|worker ...]   the named bundles (default all); exit 1 on failure
//   node scripts/bundle.mjs --if-possible      postinstall: a failure is a warning, the install
//                                              goes on (the bin shims fall back to tsx)
//   node scripts/bundle.mjs --force            rebuild even when current
import { BUNDLES, buildBundle, isFresh } from './lib/bundle.mjs';

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(n in BUNDLES));
if (unknown.length) {
  console.error(`bundle: unknown bundle ${unknown.join(', ')} (known: ${Object.keys(BUNDLES).join(', ')})`);
  process.exit(2);
}

let failed = false;
for (const name of names.length ? names : Object.keys(BUNDLES)) {
  if (!flags.has('--force') && isFresh(name)) continue;
  const started = Date.now();
  try {
    const entry = await buildBundle(name);
    console.log(`oscompose: compiled the ${name} (${entry}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    failed = true;
    const message = `oscompose: could not compile the ${name}: ${err.message}`;
    console.error(flags.has('--if-possible') ? `${message}\n  it runs from its TypeScript source through tsx meanwhile (slower to start).` : message);
  }
}
process.exit(failed && !flags.has('--if-possible') ? 1 : 0);
