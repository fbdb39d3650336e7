// The build plan against a real image store and engine cache (written by the engine's own helpers)
// and a real, migrated SQLite database: digests come from the store, a section turns cached after a
// real engine build into the same cache, and an unreachable registry is reported per image.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, defaultImageProvider, writeImage } from '@oscompose/engine';
import { makeImage } from '@oscompose/engine/testing';
import { parseSpec, type Spec } from '@oscompose/spec';
import { removeDir, seedDatabase, type SeededDb } from '../../../e2e/support/webApp';
import { loadWebConfig, type WebConfig } from '../config';

let db: SeededDb;
let dir: string;
let config: WebConfig;
let planSpec: typeof import('./planSpec').planSpec;
const digests: Record<string, string> = {};

const KERNEL = 'localhost:5000/plan-test/kernel:1';
const INIT = 'localhost:5000/plan-test/init:1';
// Port 1 on loopback: nothing listens, so the lookup fails at once (a registry that is down).
const UNREACHABLE = '127.0.0.1:1/plan-test/svc:1';

const BASE = `kernel:\n  image: ${KERNEL}\n  cmdline: "console=ttyS0"\ninit:\n  - ${INIT}\n`;
const WITH_SERVICE = `${BASE}services:\n  - name: svc\n    image: ${UNREACHABLE}\n`;

beforeAll(async () => {
  db = await seedDatabase();
  process.env.DATABASE_URL = db.url;
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-plan-'));
  // The web app's config points at the store and cache exactly as the worker's env would.
  config = loadWebConfig({ OSCOMPOSE_DATA_DIR: dir }, dir);
  const kernel = await makeImage({ files: { kernel: Buffer.alloc(512, 7), 'kernel.tar': Buffer.alloc(0) } });
  const init = await makeImage({ files: { 'bin/busybox': { content: 'bb', mode: 0o755 }, init: { content: '#!/bin/sh\n', mode: 0o755 } } });
  digests.kernel = (await writeImage(config.imageStore, { ref: KERNEL, layers: kernel.layerTars })).digest;
  digests.init = (await writeImage(config.imageStore, { ref: INIT, layers: init.layerTars })).digest;
  ({ planSpec } = await import('./planSpec'));
});

afterAll(async () => {
  await db?.prisma.$disconnect();
  if (db) removeDir(db.dir);
  if (dir) await rm(dir, { recursive: true, force: true });
});

// The operator allows the loopback "registry" the unreachable image names (docs/security.md).
const opts = () => ({ imageStores: [config.imageStore], cacheDir: config.cacheDir, policy: { operator: ['127.0.0.1:1'] } });

describe('planSpec', () => {
  it('reads the image store and cache from the same settings as the worker', () => {
    expect(config.imageStore).toBe(path.join(dir, 'images'));
    expect(config.cacheDir).toBe(path.join(dir, 'cache'));
    expect(loadWebConfig({ OSCOMPOSE_IMAGE_STORE: '/srv/images', OSCOMPOSE_CACHE: '/srv/cache' }, '/repo')).toMatchObject({ imageStore: '/srv/images', cacheDir: '/srv/cache' });
  });

  it('gives the store digests and marks sections cached only after a build into the same cache', async () => {
    const before = await planSpec(db.teamId, BASE, opts());
    expect(before.problems).toEqual([]);
    expect(before.images).toEqual([
      { reference: KERNEL, digest: digests.kernel, source: 'store', cached: true },
      { reference: INIT, digest: digests.init, source: 'store', cached: true },
    ]);
    expect(before.sections).toEqual([
      { name: `kernel ${KERNEL}`, kind: 'kernel', cached: false },
      { name: `init ${INIT}`, kind: 'init', cached: false },
    ]);

    const spec = parseSpec(BASE).spec as Spec;
    const images = await defaultImageProvider({ cacheDir: config.cacheDir, imageStores: [config.imageStore], pull: false, arch: 'amd64', insecureRegistries: [] });
    await build({ spec, images, cacheDir: config.cacheDir, imageStores: [config.imageStore], outDir: path.join(dir, 'out'), name: 'plan' });

    const after = await planSpec(db.teamId, BASE, opts());
    expect(after.sections.map((s) => [s.kind, s.cached])).toEqual([['kernel', true], ['init', true]]);
  });

  it('reports an image whose registry does not answer on its own line, and still plans the rest', async () => {
    const plan = await planSpec(db.teamId, WITH_SERVICE, { ...opts(), registryTimeoutMs: 3000 });
    const svc = plan.images.find((i) => i.reference === UNREACHABLE);
    expect(svc).toMatchObject({ digest: null, source: 'registry', cached: false, error: expect.stringContaining(UNREACHABLE) });
    expect(plan.images.find((i) => i.reference === KERNEL)).toMatchObject({ digest: digests.kernel, source: 'store' });
    expect(plan.sections.map((s) => [s.kind, s.cached])).toEqual([['kernel', true], ['init', true], ['container', false]]);
  });

  it('falls back to the catalog pin when the registry cannot be asked', async () => {
    const pinned = `sha256:${'ab'.repeat(32)}`;
    await db.prisma.catalogEntry.create({ data: { teamId: db.teamId, reference: UNREACHABLE, name: 'svc', kind: 'service', title: 'svc', pinnedDigest: pinned, source: 'team' } });
    const plan = await planSpec(db.teamId, WITH_SERVICE, { ...opts(), registryTimeoutMs: 3000 });
    expect(plan.images.find((i) => i.reference === UNREACHABLE)).toMatchObject({ digest: pinned, source: 'catalog', cached: false, error: expect.any(String) });
  });

  it('returns only problems for a spec that does not parse', async () => {
    const plan = await planSpec(db.teamId, 'kernel: [\n', opts());
    expect(plan.images).toEqual([]);
    expect(plan.problems[0]).toMatchObject({ line: expect.any(Number), severity: 'error' });
  });
});
