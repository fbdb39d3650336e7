// @oscompose/catalog/testing: the starter catalog for other packages' integration tests, built
// once into a store shared between runs (buildStarterCatalog skips recipes that did not change).
import { homedir } from 'node:os';
import path from 'node:path';
import { buildStarterCatalog } from '../build';
import { loadDefaultCompositions } from '../compositions';

const cacheRoot = () => process.env.OSCOMPOSE_CACHE ?? path.join(homedir(), '.cache', 'oscompose');

/** The image store holding the starter images (OSCOMPOSE_TEST_IMAGE_STORE, else under the cache). */
export function testImageStore(): string {
  return process.env.OSCOMPOSE_TEST_IMAGE_STORE ?? path.join(cacheRoot(), 'test-image-store');
}

/** Builds (or reuses) the starter catalog in testImageStore(); returns it and a composition's YAML by name. */
export async function starterCatalogForTests(): Promise<{ imageStore: string; composition(name: string): string }> {
  const imageStore = testImageStore();
  await buildStarterCatalog({ imageStore, cacheDir: process.env.OSCOMPOSE_DEBIAN_CACHE ?? path.join(cacheRoot(), 'debian') });
  const all = await loadDefaultCompositions({ registryHost: 'localhost:5000' });
  return {
    imageStore,
    composition(name) {
      const c = all.find((x) => x.name === name);
      if (!c) throw new Error(`packages/catalog/compositions/${name}.yml is missing: the composition this test builds`);
      return c.yaml;
    },
  };
}
