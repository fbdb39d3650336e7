// The size breakdown of a build end to end: the starter catalog's `minimal` composition built by a
// real worker (real Redis, SQLite, engine) through the API; GET /api/v1/builds/:id/contents names
// the kernel's modules and the runc section, and the sections add up to the initramfs the build
// published (decompressed and compressed). Not served to another team.

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStarterCatalog, loadDefaultCompositions } from '@oscompose/catalog';
import type { BuildContents, ContentsNode } from '@oscompose/engine';
import { serveApi, type ServedApi } from './testing/api';
import { startPipeline, startWorker, workerReady, type Pipeline, type WorkerProcess } from './testing/harness';

const cacheRoot = process.env.OSCOMPOSE_CACHE ?? path.join(homedir(), '.cache', 'oscompose');
const imageStore = process.env.OSCOMPOSE_TEST_IMAGE_STORE ?? path.join(cacheRoot, 'test-image-store');

let p: Pipeline;
let served: ServedApi;
let worker: WorkerProcess;
let minimalYaml: string;

beforeAll(async () => {
  await buildStarterCatalog({ imageStore, cacheDir: process.env.OSCOMPOSE_DEBIAN_CACHE ?? path.join(cacheRoot, 'debian') });
  const minimal = (await loadDefaultCompositions({ registryHost: 'localhost:5000' })).find((c) => c.name === 'minimal');
  if (!minimal) throw new Error('packages/catalog/compositions/minimal.yml is missing: the composition this test builds');
  minimalYaml = minimal.yaml;
  p = await startPipeline({ workerEnv: { OSCOMPOSE_IMAGE_STORE: imageStore } });
  served = await serveApi(p);
  worker = startWorker('contents-w1', p.workerEnv);
  await workerReady(worker);
}, 600_000);

afterAll(async () => {
  await worker?.kill();
  await served?.close();
  await p?.cleanup();
});

const nodes = (n: ContentsNode): ContentsNode[] => [n, ...(n.children ?? []).flatMap(nodes)];

describe('the size breakdown of a build, through the API (real worker and engine)', () => {
  let id = '';

  it('the starter minimal build: kernel modules and runc by name, sections that add up to the initramfs', async () => {
    const { client } = served;
    const created = await client.http('POST', '/api/v1/builds', { spec: minimalYaml, formats: ['kernel+initrd'], name: 'minimal' });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const b = await client.waitStatus(created.body.id, ['succeeded', 'failed'], 480_000);
    expect(b.status, `${b.error ?? ''}\n${worker.output().slice(-3000)}`).toBe('succeeded');
    id = b.id;
    expect(b.contents).toMatchObject({ name: 'minimal.contents.json', url: `/api/v1/builds/${b.id}/contents` });
    // Not an image format: kept out of `artifacts` (and so out of the artifact size comparison).
    expect(b.artifacts.map((a: any) => a.name)).toEqual(['minimal-cmdline', 'minimal-initrd.img', 'minimal-kernel']);

    const res = await fetch(`${served.api.url}${b.contents.url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const c = (await res.json()) as BuildContents;
    expect(c.schema).toBe('oscompose.contents/v1');

    const initrdRow = await p.testDb.db.artifact.findFirstOrThrow({ where: { buildId: b.id, name: 'minimal-initrd.img' } });
    const initrd = await readFile(path.join(p.dataDir, 'artifacts', initrdRow.storageKey));
    const unpacked = gunzipSync(initrd).length;
    expect(c.initramfs).toEqual({ bytes: unpacked, compressed: initrd.length });
    expect(c.sections.reduce((n, s) => n + s.bytes, 0)).toBe(unpacked);
    expect(c.sections.reduce((n, s) => n + s.compressed, 0)).toBe(initrd.length);

    const labels = c.sections.map((s) => s.label);
    expect(labels).toEqual(expect.arrayContaining(['kernel localhost:5000/oscompose/kernel:6.1', 'init localhost:5000/oscompose/runc:0.1', 'onboot dhcpcd', 'services getty', 'services httpd']));
    const kernel = c.sections.find((s) => s.kind === 'kernel')!;
    const modules = nodes(kernel.tree).find((n) => n.path?.startsWith('lib/modules/') && n.path.split('/').length === 3);
    expect(modules, JSON.stringify(kernel.tree).slice(0, 2000)).toBeDefined();
    expect(modules!.bytes).toBeGreaterThan(kernel.bytes / 2); // the modules are most of the kernel section
    const runc = c.sections.find((s) => s.label === 'init localhost:5000/oscompose/runc:0.1')!;
    expect(runc.image).toMatch(/^localhost:5000\/oscompose\/runc:0\.1@sha256:[0-9a-f]{64}$/);
    expect(c.largest.find((f) => f.path.endsWith('bin/runc'))).toMatchObject({ section: runc.id });
    for (const s of c.sections) expect(s.tree.bytes, s.label).toBe(s.bytes);
    expect(c.kernel).toBe(Number((await p.testDb.db.artifact.findFirstOrThrow({ where: { buildId: b.id, name: 'minimal-kernel' } })).size));
  });

  it('a build without one says why; another team\'s build is not found', async () => {
    const db = p.testDb.db;
    const old = await db.build.create({ data: { teamId: p.testDb.teamId, specText: minimalYaml, specHash: 'x', formats: '["tar"]', status: 'succeeded', finishedAt: new Date() } });
    const none = await served.client.http('GET', `/api/v1/builds/${old.id}/contents`);
    expect(none.status).toBe(404);
    expect(none.body.error).toMatchObject({ code: 'no_contents', message: expect.stringMatching(/built before builds carried one/) });

    const other = await db.team.create({ data: { name: 'Other', slug: `other-${Date.now()}` } });
    const theirs = await db.build.create({ data: { teamId: other.id, specText: minimalYaml, specHash: 'x', formats: '["tar"]', status: 'succeeded', finishedAt: new Date() } });
    const mine = await db.artifact.findFirstOrThrow({ where: { buildId: id, format: 'contents' } });
    await db.artifact.create({ data: { buildId: theirs.id, format: 'contents', name: mine.name, size: mine.size, sha256: mine.sha256, storageKey: mine.storageKey } });
    const foreign = await served.client.http('GET', `/api/v1/builds/${theirs.id}/contents`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('not_found');
  });
});
