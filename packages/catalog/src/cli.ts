// `npm run catalog:build`: builds the starter catalog into the image store with progress lines.
// Options: --only name,name  --image-store DIR  --cache DIR  --registry HOST (push). A command of
// its own: its environment (OSCOMPOSE_IMAGE_STORE, OSCOMPOSE_DEBIAN_CACHE, OSCOMPOSE_REGISTRY) is
// read here.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStarterCatalog, defaultCatalogPaths } from './build';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const defaults = defaultCatalogPaths(ROOT, process.env);
  const imageStore = resolve(arg('image-store') ?? defaults.imageStore);
  const cacheDir = resolve(arg('cache') ?? defaults.cacheDir);
  const only = arg('only')?.split(',');
  const started = Date.now();
  const images = await buildStarterCatalog({
    imageStore,
    cacheDir,
    registry: arg('registry'),
    referenceHost: process.env.OSCOMPOSE_REGISTRY || undefined,
    only,
    onProgress: (m) => console.log(`catalog: ${m}`),
  });
  for (const im of images) console.log(`${im.reference.padEnd(48)} ${im.digest} ${(im.size / 1048576).toFixed(1)} MiB`);
  console.log(`catalog: ${images.length} images in ${imageStore} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((e: Error) => {
  console.error(`catalog: ${e.name === 'Error' ? '' : e.name + ': '}${e.message}`);
  process.exit(1);
});
