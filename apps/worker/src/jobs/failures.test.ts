// Which failures are retried, through the real pipeline (API handlers, private redis-server,
// SQLite, a real worker process, a real docker-registry): what the user fixes fails after exactly
// one attempt with its message — on the build row and on the BullMQ job — and a registry that
// answers 503 for a while gets the build retried until it works.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarBuffer } from '@oscompose/engine';
import { makeImage, pushImage } from '@oscompose/engine/testing';
import { startRegistry, type TestRegistry } from '@oscompose/queue/testing';
import { apiClient, serveApi, type ServedApi } from './testing/api';
import { specText, startPipeline, startWorker, workerReady, writeTestImages, type Pipeline, type WorkerProcess } from './testing/harness';

let p: Pipeline;
let served: ServedApi;
let registry: TestRegistry;
let worker: WorkerProcess;
let webDeps: Awaited<ReturnType<Pipeline['webDeps']>>;
let refs: Awaited<ReturnType<typeof writeTestImages>>;
let flaky: { server: http.Server; host: string; mode: 'fail' | 'pass'; refused: number };
const { http: request, waitStatus, events } = apiClient(() => served.api.url);

/** A registry front that answers 503 to everything while `mode` is 'fail', then passes requests on. */
async function flakyFront(target: string): Promise<typeof flaky> {
  const [host, port] = target.split(':');
  const front = { mode: 'fail' as 'fail' | 'pass', refused: 0, host: '', server: undefined as unknown as http.Server };
  front.server = http.createServer((req, res) => {
    if (front.mode === 'fail') {
      front.refused++;
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}');
      return;
    }
    const up = http.request({ host, port: Number(port), path: req.url, method: req.method, headers: { ...req.headers, host: target } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => front.server.listen(0, '127.0.0.1', r));
  front.host = `127.0.0.1:${(front.server.address() as AddressInfo).port}`;
  return front;
}

beforeAll(async () => {
  p = await startPipeline();
  registry = await startRegistry();
  flaky = await flakyFront(registry.host);
  refs = await writeTestImages(p.imageStore, { blobBytes: 1024 });
  served = await serveApi(p);
  webDeps = served.webDeps;
  // The registries these tests use are on loopback: allow them by name (the registry policy).
  worker = startWorker('wf', { ...p.workerEnv, OSCOMPOSE_ALLOWED_REGISTRIES: `${registry.host},${flaky.host}` });
  await workerReady(worker);
});

afterAll(async () => {
  await worker?.kill();
  await served?.close();
  await new Promise((r) => flaky?.server.close(r));
  await registry?.stop();
  await p?.cleanup();
});

/** The build row, its job in BullMQ, and its stream: what tells whether it was retried. */
async function outcome(id: string) {
  const build = await waitStatus(id, ['succeeded', 'failed', 'canceled']);
  const row = await p.testDb.db.build.findUniqueOrThrow({ where: { id } });
  const job = await webDeps.queue.getJob(id);
  // The job reaches its final state a moment after the row.
  let state = await job?.getState();
  for (let i = 0; i < 50 && state !== 'failed' && state !== 'completed'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    state = await job?.getState();
  }
  const fresh = await webDeps.queue.getJob(id);
  return { build, row, job: fresh, state, stream: await events(id) };
}

describe('user errors fail once; transient errors are retried (real pipeline)', () => {
  it('an unknown image (the registry answers 404) fails after exactly one attempt, with the message', async () => {
    const ref = `${registry.host}/pipeline/does-not-exist:1`;
    const created = await request('POST', '/api/v1/builds', { spec: specText({ kernel: refs.kernel, init: ref }), formats: ['tar'] });
    expect(created.status).toBe(202);
    const { build, row, job, state, stream } = await outcome(created.body.id);
    expect(build.status).toBe('failed');
    expect(build.error).toMatch(/does-not-exist.*not found \(404\)/);
    expect(row.attempts).toBe(1);
    expect(state).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toBe(build.error);
    expect(stream.filter((e) => e.event === 'log' && /retrying/.test(e.data.message ?? ''))).toEqual([]);
    expect(stream.at(-1)).toMatchObject({ event: 'status', data: { status: 'failed', error: build.error } });
  });

  it('a bad image (a layer with a path traversal) fails after exactly one attempt, naming the entry', async () => {
    const evil = await tarBuffer([{ path: 'etc/../../../tmp/owned', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 2, content: Buffer.from('x\n') }]);
    const ref = `${registry.host}/pipeline/evil:1`;
    await pushImage(registry.host, ref, await makeImage({ layers: [evil], config: { Cmd: ['/bin/true'] } }));
    const spec = specText(refs, { onboot: [{ name: 'evil', image: ref }] });
    const { build, row, job, state } = await outcome((await request('POST', '/api/v1/builds', { spec, formats: ['tar'] })).body.id);
    expect(build.status).toBe('failed');
    expect(build.error).toMatch(/entry "etc\/\.\.\/\.\.\/\.\.\/tmp\/owned": entry name contains "\.\." \(path traversal\)/);
    expect(row.attempts).toBe(1);
    expect(state).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
  });

  it('a spec the worker refuses (queued without the API) fails once too', async () => {
    // Bypass the API's parser to put a spec the worker must refuse on the queue.
    const row = await p.testDb.db.build.create({
      data: { teamId: p.testDb.teamId, requesterId: p.testDb.userId, specText: 'kernel:\n  image: [not, a, string]\n', specHash: 'x', formats: '["tar"]', status: 'queued' },
    });
    await webDeps.queue.add('build', { buildId: row.id }, { jobId: row.id, attempts: 3, backoff: { type: 'fixed', delay: 100 } });
    const { build, job } = await outcome(row.id);
    expect(build.status).toBe('failed');
    expect(build.error).toMatch(/kernel\.image|image/);
    expect(job?.attemptsMade).toBe(1);
  });

  it('a registry that answers 503 for a while: the build is retried with backoff and then succeeds', async () => {
    const ref = `${flaky.host}/pipeline/later:1`;
    await pushImage(registry.host, `${registry.host}/pipeline/later:1`, await makeImage({ files: { 'bin/later': 'x' }, config: { Cmd: ['/bin/later'] } }));
    const created = await request('POST', '/api/v1/builds', { spec: specText(refs, { onboot: [{ name: 'later', image: ref }] }), formats: ['tar'], name: 'later' });
    const id = created.body.id;
    const until = Date.now() + 120_000;
    for (;;) {
      const logs = await p.testDb.db.buildEvent.findMany({ where: { buildId: id, type: 'log' } });
      if (logs.some((l) => /attempt 1 of 3 failed .*503.*retrying with backoff/.test(l.payload))) break;
      const b = await p.testDb.db.build.findUniqueOrThrow({ where: { id } });
      if (b.status === 'failed' || Date.now() > until) throw new Error(`no retry: ${b.status} ${b.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(flaky.refused).toBeGreaterThanOrEqual(4); // the registry client's own retries came first
    flaky.mode = 'pass';
    const { build, row, job, state } = await outcome(id);
    expect(build.status, build.error ?? '').toBe('succeeded');
    expect(row.attempts).toBe(2);
    expect(state).toBe('completed');
    expect(job?.attemptsMade).toBe(2); // the failed attempt and the one that worked
    expect(build.resolvedSpec).toContain(`${ref}@sha256:`);
  });
});
