// Testdrive of the catalog's `minimal` composition, end to end on the worker side: the real
// worker process builds it (through the API), then boots its kernel+initrd for a testdrive; the
// test types on the console through Redis and reads the shell's answer, opens the forwarded
// port 80, stops it and finds no QEMU left and the transcript kept with the build. A second
// testdrive is ended by the worker's SIGTERM, again with no QEMU left.

import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import path from 'node:path';
import { buildStarterCatalog, loadDefaultCompositions } from '@oscompose/catalog';
import { testdriveState } from '@oscompose/db';
import {
  beatTestdriveViewer,
  createProducerConnection,
  createTestdriveQueue,
  enqueueTestdrive,
  readTestdriveOutput,
  sendTestdriveInput,
} from '@oscompose/queue';
import { waitFor } from '@oscompose/queue/testing';
import { LocalArtifactStore } from '@oscompose/storage';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '@oscompose/web/testing';
import { startPipeline, startWorker, workerReady, type Pipeline, type WorkerProcess } from './testing/harness';
import { serveApi, type ServedApi } from './testing/api';

const cacheRoot = process.env.OSCOMPOSE_CACHE ?? path.join(homedir(), '.cache', 'oscompose');
const imageStore = process.env.OSCOMPOSE_TEST_IMAGE_STORE ?? path.join(cacheRoot, 'test-image-store');

let p: Pipeline;
let api: ApiServer;
let served: ServedApi | undefined;
let w: WorkerProcess | undefined;
let redis: Redis;
let reader: Redis;
let buildId: string;

beforeAll(async () => {
  await buildStarterCatalog({ imageStore, cacheDir: process.env.OSCOMPOSE_DEBIAN_CACHE ?? path.join(cacheRoot, 'debian') });
  const minimal = (await loadDefaultCompositions({ registryHost: 'localhost:5000' })).find((c) => c.name === 'minimal');
  if (!minimal) throw new Error('packages/catalog/compositions/minimal.yml is missing: the composition this test boots');
  p = await startPipeline({ workerEnv: { WORKER_BOOT_CHECK: 'false', WORKER_LOCK_SECONDS: '30', OSCOMPOSE_IMAGE_STORE: imageStore, WORKER_TESTDRIVES: '2' } });
  served = await serveApi(p);
  api = served.api;
  w = startWorker('testdrive', p.workerEnv);
  await workerReady(w);
  redis = createProducerConnection(p.redis.url);
  reader = createProducerConnection(p.redis.url, { maxRetriesPerRequest: null });
  const res = await fetch(`${api.url}/api/v1/builds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ spec: minimal.yaml, formats: ['kernel+initrd'], name: 'minimal' }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  buildId = ((await res.json()) as { id: string }).id;
  await (await fetch(`${api.url}/api/v1/builds/${buildId}/events`)).text();
  const build = (await (await fetch(`${api.url}/api/v1/builds/${buildId}`)).json()) as { status: string; error?: string };
  expect(build.status, build.error ?? w.output().slice(-3000)).toBe('succeeded');
}, 1_200_000);

afterAll(async () => {
  redis?.disconnect();
  reader?.disconnect();
  await w?.kill();
  await served?.close();
  await p?.cleanup();
});

function qemusOf(id: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `^qemu-system-x86_64 .*testdrive-${id}/`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function startTestdrive(ports: number[] = []) {
  const td = await testdriveState.create(p.testDb.db, { buildId, userId: p.testDb.userId, format: 'kernel+initrd', ports: JSON.stringify(ports), memoryMb: 1024, cpus: 1, limitSeconds: 900 });
  const queue = createTestdriveQueue(redis, { prefix: p.prefix });
  await enqueueTestdrive(queue, { testdriveId: td.id });
  await queue.close();
  return td.id;
}

/** Follows the console stream as a page would (beating the viewer key), collecting the text. */
function follow(id: string) {
  let text = '';
  let end: string | undefined;
  let last = '0';
  let stopped = false;
  const loop = (async () => {
    while (!stopped && end === undefined) {
      await beatTestdriveViewer(redis, p.prefix, id);
      for (const e of await readTestdriveOutput(reader, p.prefix, id, last, 1000)) {
        last = e.id;
        if ('end' in e) end = e.end;
        else text += e.data;
      }
    }
  })();
  return { text: () => text, end: () => end, async close() { stopped = true; await loop; } };
}

describe('testdrive of the minimal build on a real worker', () => {
  it('boots, answers typed commands through Redis, serves port 80, and Stop leaves no QEMU', async () => {
    const id = await startTestdrive([80]);
    const console = follow(id);
    try {
      await waitFor(async () => console.text().includes('oscompose: boot complete'), () => `boot complete on the console:\n${console.text().slice(-3000)}\n${w!.output().slice(-2000)}`, 600_000);
      // getty INSECURE=true gives a root shell; it may open the port a moment after boot.
      const mark = console.text().length;
      await waitFor(async () => {
        await sendTestdriveInput(redis, p.prefix, id, { data: 'echo td-$((6*7))-ok\r' });
        await new Promise((r) => setTimeout(r, 3000));
        return console.text().slice(mark).includes('td-42-ok');
      }, () => `the shell's answer:\n${console.text().slice(-2000)}`, 180_000);

      const row = await p.testDb.db.testdrive.findUniqueOrThrow({ where: { id } });
      expect(row.status).toBe('running');
      const forwards = JSON.parse(row.forwards ?? '[]') as Array<{ guest: number; host: number }>;
      expect(forwards.map((f) => f.guest)).toEqual([80]);
      let body = '';
      await waitFor(async () => {
        body = await (await fetch(`http://127.0.0.1:${forwards[0]!.host}/`)).text();
        return body.includes('Hello from oscompose');
      }, 'httpd through the forwarded port', 60_000);

      expect(qemusOf(id)).toHaveLength(1);
      expect(await testdriveState.stop(p.testDb.db, id, 'user')).toBe(true);
      await sendTestdriveInput(redis, p.prefix, id, { control: 'stop' });
      await waitFor(async () => console.end() !== undefined, 'the end of the console stream', 30_000);
      expect(console.end()).toBe('user');
      expect(qemusOf(id)).toEqual([]);
    } finally {
      await console.close();
    }
    await waitFor(async () => Boolean((await p.testDb.db.testdrive.findUniqueOrThrow({ where: { id } })).transcriptKey), 'the transcript', 30_000);
    const row = await p.testDb.db.testdrive.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'stopped', endReason: 'user' });
    const store = new LocalArtifactStore(path.join(p.dataDir, 'artifacts'));
    const chunks: Buffer[] = [];
    for await (const c of await store.read(row.transcriptKey!)) chunks.push(c as Buffer);
    const transcript = Buffer.concat(chunks).toString('utf8');
    expect(transcript).toContain('oscompose: boot complete');
    expect(transcript).toContain('td-42-ok');
  }, 900_000);

  it("the worker's SIGTERM ends a running testdrive and leaves no QEMU", async () => {
    const id = await startTestdrive();
    const console = follow(id);
    try {
      await waitFor(async () => qemusOf(id).length === 1, 'QEMU to start', 120_000);
      await w!.kill('SIGTERM');
      await waitFor(async () => console.end() !== undefined, 'the end of the console stream', 60_000);
      expect(console.end()).toBe('worker-shutdown');
      expect(qemusOf(id)).toEqual([]);
      expect(await p.testDb.db.testdrive.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'stopped', endReason: 'worker-shutdown' });
    } finally {
      await console.close();
    }
  }, 300_000);
});
