// One-shot run by `npm start` once the web app (the registry's token server) answers:
//   tsx apps/web/src/server/registry/mirror-main.ts 127.0.0.1:5000
// Its settings (image store, registry token dir) come from the web app's config.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { systemSecret } from '../auth/registryToken';
import { loadWebConfig } from '../config';
import { mirrorImageStore } from './mirror';

async function main() {
  const host = process.argv[2];
  if (!host) throw new Error('usage: mirror-main.ts HOST:PORT');
  const { imageStore, registryTokenDir: tokenDir } = loadWebConfig();
  if (!existsSync(path.join(imageStore, 'index.json'))) {
    console.log(`no image store at ${imageStore} yet; nothing to mirror`);
    return;
  }
  const secret = systemSecret(tokenDir);
  if (!secret) throw new Error(`no system secret in ${tokenDir}; npm start creates it`);
  const r = await mirrorImageStore({ imageStore, host, secret, log: (l) => console.log(l) });
  console.log(`image store mirrored to ${host}: ${r.pushed.length} pushed, ${r.unchanged.length} already there, ${r.failed.length} failed`);
  if (r.failed.length) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`mirror failed: ${(err as Error).message}`);
  process.exitCode = 1;
});
