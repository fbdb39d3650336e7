// The build pipeline end to end with real services: a private redis-server, a SQLite database,
// real worker processes (apps/worker main), the builds API handlers behind a real HTTP server,
// the real engine. What a user checks: the build succeeds, the downloads match the published
// sha256, a repeat is served from the cache, a killed worker's build finishes once, a bad
// image fails at once with its message.

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '@oscompose/web/testing';
import { runSubmit } from '@oscompose/engine/cli';
import { makeImage, pushImage } from '@oscompose/engine/testing';
import { startRegistry, type TestRegistry } from '@oscompose/queue/testing';
import net from 'node:net';
import { freePort } from '@oscompose/queue/testing';
import { apiClient, serveApi, type ServedApi } from './testing/api';
import { specText, startPipeline, startWorker, workerReady, writeTestImages, type Pipeline, type WorkerProcess } from './testing/harness';

let p: Pipeline;
let api: ApiServer;
let served: ServedApi | undefined;
let refs: Awaited<ReturnType<typeof writeTestImages>>;
let registry: TestRegistry;
/** A loopback port the retry test brings a registry up on later (the operator allows it). */
let laterPort: number;
const workers: WorkerProcess[] = [];

const { http, waitStatus, events } = apiClient(() => api.url);

beforeAll(async () => {
  p = await startPipeline();
  registry = await startRegistry();
  laterPort = await freePort();
  // The test registries are on loopback: the operator allows exactly them (docs/security.md).
  p.workerEnv.OSCOMPOSE_ALLOWED_REGISTRIES = `${registry.host},127.0.0.1:${laterPort}`;
  refs = await writeTestImages(p.imageStore, { blobBytes: 96 * 1024 * 1024 });
  served = await serveApi(p);
  api = served.api;
  const w = startWorker('w1', p.workerEnv);
  workers.push(w);
  await workerReady(w);
});

afterAll(async () => {
  for (const w of workers) await w.kill();
  await served?.close();
  await registry?.stop();
  await p?.cleanup();
});

describe('build pipeline (real Redis, DB, worker processes, engine)', () => {
  const spec = () => specText(refs, { onboot: [{ name: 'hello', image: refs.hello }], files: [{ path: 'etc/issue', contents: 'pipeline test\n' }] });
  let firstId = '';

  it('builds through the API; progress streams; downloads match the published sha256; Range works', async () => {
    const created = await http('POST', '/api/v1/builds', { spec: spec(), formats: ['kernel+initrd', 'tar'], name: 'pipe' });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: 'queued', url: `/api/v1/builds/${created.body.id}`, cached: false });
    firstId = created.body.id;

    const stream = await events(firstId);
    const types = new Set(stream.map((e) => e.event));
    expect(types.has('stage')).toBe(true);
    expect(types.has('artifact')).toBe(true);
    expect(stream.at(-1)).toMatchObject({ event: 'status', data: { status: 'succeeded' } });
    const seqs = stream.map((e) => Number(e.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b)); // in order, no repeats
    expect(new Set(seqs).size).toBe(seqs.length);

    const build = (await http('GET', `/api/v1/builds/${firstId}`)).body;
    expect(build.status).toBe('succeeded');
    expect(build.cached).toBe(false);
    expect(build.resolvedSpec).toMatch(/@sha256:[0-9a-f]{64}/);
    expect(build.artifacts.map((a: any) => a.name).sort()).toEqual(['pipe-cmdline', 'pipe-initrd.img', 'pipe-kernel', 'pipe.tar'].sort());
    for (const a of build.artifacts) {
      const res = await fetch(api.url + a.downloadUrl);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBe(a.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(a.sha256);
      expect(res.headers.get('x-checksum-sha256')).toBe(a.sha256);
      expect(res.headers.get('digest')).toBe(`sha-256=${Buffer.from(a.sha256, 'hex').toString('base64')}`);
    }
    const kernel = build.artifacts.find((a: any) => a.name === 'pipe-kernel');
    const part = await fetch(api.url + kernel.downloadUrl, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${kernel.size}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(Buffer.alloc(10, 7));
  });

  it('serves the same spec again from the build cache; fresh builds anew', async () => {
    const t0 = performance.now();
    const created = await http('POST', '/api/v1/builds', { spec: spec(), formats: ['tar', 'kernel+initrd'], name: 'pipe' });
    const build = await waitStatus(created.body.id, ['succeeded', 'failed']);
    const ms = performance.now() - t0;
    console.log(`[pipeline] cached build: submit → succeeded in ${ms.toFixed(0)} ms`);
    expect(build).toMatchObject({ status: 'succeeded', cached: true, cachedFromId: firstId });
    const first = (await http('GET', `/api/v1/builds/${firstId}`)).body;
    expect(build.artifacts.map((a: any) => [a.name, a.sha256])).toEqual(first.artifacts.map((a: any) => [a.name, a.sha256]));

    // Another artifact name is another build (names are in the files and in disk ids).
    const renamed = await http('POST', '/api/v1/builds', { spec: spec(), formats: ['tar', 'kernel+initrd'], name: 'other' });
    const other = await waitStatus(renamed.body.id, ['succeeded', 'failed']);
    expect(other).toMatchObject({ status: 'succeeded', cached: false });
    expect(other.artifacts.map((a: any) => a.name).sort()).toEqual(['other-cmdline', 'other-initrd.img', 'other-kernel', 'other.tar']);

    const fresh = await http('POST', `/api/v1/builds/${firstId}/rebuild`, { fresh: true });
    expect(fresh.status).toBe(202);
    const rebuilt = await waitStatus(fresh.body.id, ['succeeded', 'failed']);
    expect(rebuilt).toMatchObject({ status: 'succeeded', cached: false });
    // The engine is reproducible: a fresh build gives the same bytes.
    expect(rebuilt.artifacts.map((a: any) => a.sha256)).toEqual(first.artifacts.map((a: any) => a.sha256));
  });

  it('fails a build with a missing image (registry 404) at once, with the message, without retrying', async () => {
    const bad = specText({ kernel: refs.kernel, init: `${registry.host}/pipeline/does-not-exist:1` });
    const created = await http('POST', '/api/v1/builds', { spec: bad, formats: ['tar'] });
    const build = await waitStatus(created.body.id, ['succeeded', 'failed']);
    expect(build.status).toBe('failed');
    expect(build.error).toMatch(/does-not-exist/);
    expect(build.attempts).toBe(1);
    expect(build.artifacts).toEqual([]);
    const stream = await events(created.body.id);
    expect(stream.at(-1)).toMatchObject({ event: 'status', data: { status: 'failed' } });
  });

  it('retries a transient failure (registry unreachable) with backoff and succeeds once it is back', async () => {
    await pushImage(registry.host, `${registry.host}/pipeline/later:1`, await makeImage({ files: { 'bin/later': 'x' }, config: { Cmd: ['/bin/later'] } }));
    const port = laterPort; // nothing listens here yet: connections are refused
    const spec = specText(refs, { onboot: [{ name: 'later', image: `127.0.0.1:${port}/pipeline/later:1` }] });
    const created = await http('POST', '/api/v1/builds', { spec, formats: ['tar'], name: 'later' });
    const id = created.body.id;
    const until = Date.now() + 120_000;
    for (;;) {
      const logs = await p.testDb.db.buildEvent.findMany({ where: { buildId: id, type: 'log' } });
      if (logs.some((l) => /retrying with backoff/.test(l.payload))) break;
      const b = await p.testDb.db.build.findUniqueOrThrow({ where: { id } });
      if (b.status === 'failed' || Date.now() > until) throw new Error(`no retry: ${b.status} ${b.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The registry comes back (a loopback proxy to the real one on the port the spec names).
    const [, regPort] = registry.host.split(':');
    const proxy = net.createServer((c) => {
      const up = net.connect(Number(regPort), '127.0.0.1');
      c.pipe(up).pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', () => r()));
    try {
      const build = await waitStatus(id, ['succeeded', 'failed']);
      expect(build.status, build.error ?? '').toBe('succeeded');
      expect(build.attempts).toBeGreaterThanOrEqual(2);
      expect(build.resolvedSpec).toMatch(new RegExp(`127.0.0.1:${port}/pipeline/later:1@sha256:`));
    } finally {
      proxy.close();
    }
  });

  it('builds a saved composition version; another team\'s private composition is not found, a public one builds', async () => {
    const db = p.testDb.db;
    const comp = await db.composition.create({ data: { teamId: p.testDb.teamId, name: 'web-host', latestVersion: 2 } });
    await db.compositionVersion.create({ data: { compositionId: comp.id, version: 1, specText: 'kernel: {}\n' } });
    const v2 = await db.compositionVersion.create({ data: { compositionId: comp.id, version: 2, specText: spec() } });
    const created = await http('POST', '/api/v1/builds', { compositionId: comp.id, formats: ['tar'] });
    expect(created.status).toBe(202);
    const build = await waitStatus(created.body.id, ['succeeded', 'failed']);
    expect(build).toMatchObject({ status: 'succeeded', compositionVersionId: v2.id, specText: spec() });

    const other = await db.team.create({ data: { name: 'Other', slug: `other-${Date.now()}` } });
    const theirs = await db.composition.create({ data: { teamId: other.id, name: 'secret' } });
    const res = await http('POST', '/api/v1/builds', { compositionId: theirs.id, formats: ['tar'] });
    expect(res.status).toBe(404);
    // A composition another team shared publicly (like the starter compositions) builds.
    const shared = await db.composition.create({
      data: { teamId: other.id, name: 'shared', visibility: 'public', latestVersion: 1, versions: { create: { version: 1, specText: spec() } } },
    });
    const fromShared = await http('POST', '/api/v1/builds', { compositionId: shared.id, formats: ['tar'] });
    expect(fromShared.status).toBe(202);
    expect(await waitStatus(fromShared.body.id, ['succeeded', 'failed'])).toMatchObject({ status: 'succeeded' });
    expect((await http('POST', '/api/v1/builds', { spec: spec(), compositionId: comp.id, formats: ['tar'] })).status).toBe(400);
  });

  it('answers 400 with line and column for a bad spec, before anything is queued', async () => {
    const res = await http('POST', '/api/v1/builds', { spec: 'kernel:\n  image: [\n', formats: ['tar'] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_spec');
    expect(res.body.error.problems[0]).toMatchObject({ line: expect.any(Number), col: expect.any(Number) });
  });

  it('cancel: a running build stops, publishes nothing, its stream ends canceled; a finished build answers 409', async () => {
    const slowSpec = specText(refs, { onboot: [{ name: 'slow', image: refs.slow }], files: [{ path: 'etc/cancel', contents: String(Date.now()) }] });
    const created = await http('POST', '/api/v1/builds', { spec: slowSpec, formats: ['kernel+initrd'], name: 'cancel', fresh: true });
    const id = created.body.id;
    const until = Date.now() + 120_000;
    while ((await p.testDb.db.build.findUniqueOrThrow({ where: { id } })).status !== 'running') {
      if (Date.now() > until) throw new Error('the build never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    const res = await http('POST', `/api/v1/builds/${id}/cancel`);
    expect(res.status).toBe(202);
    const stream = await events(id);
    expect(stream.at(-1)).toMatchObject({ event: 'status', data: { status: 'canceled' } });
    // Give the worker time to notice and stop; it must publish nothing for this build.
    await new Promise((r) => setTimeout(r, 3000));
    const build = (await http('GET', `/api/v1/builds/${id}`)).body;
    expect(build.status).toBe('canceled');
    expect(build.artifacts).toEqual([]);
    expect(await readdir(path.join(p.dataDir, 'artifacts', 'builds', id)).catch(() => [])).toEqual([]);
    expect((await http('POST', `/api/v1/builds/${id}/cancel`)).status).toBe(409);
  });

  it('a worker SIGKILLed mid-build: another picks the build up, it finishes once, nothing half or twice published', async () => {
    const slowSpec = specText(refs, { onboot: [{ name: 'slow', image: refs.slow }], files: [{ path: 'etc/kill', contents: String(Date.now()) }] });
    const created = await http('POST', '/api/v1/builds', { spec: slowSpec, formats: ['kernel+initrd'], name: 'slow', fresh: true });
    const id = created.body.id;
    // Kill the worker once it has claimed this build and the engine is at work.
    const until = Date.now() + 120_000;
    for (;;) {
      const b = await p.testDb.db.build.findUniqueOrThrow({ where: { id } });
      if (b.status === 'running') break;
      if (Date.now() > until) throw new Error('the build never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));
    const before = await p.testDb.db.build.findUniqueOrThrow({ where: { id } });
    expect(before.status).toBe('running');
    await workers[0]!.kill('SIGKILL');
    const w2 = startWorker('w2', p.workerEnv);
    workers.push(w2);
    await workerReady(w2);

    const build = await waitStatus(id, ['succeeded', 'failed']);
    const evs = await p.testDb.db.buildEvent.findMany({ where: { buildId: id }, orderBy: { seq: 'asc' } });
    const story = evs.map((e) => `${e.seq} ${e.type} ${e.payload}`).join('\n');
    expect(build.status, story).toBe('succeeded');
    expect(build.attempts, story).toBeGreaterThanOrEqual(2);
    expect(build.workerId).toMatch(/^w2#/);
    const rows = await p.testDb.db.artifact.findMany({ where: { buildId: id } });
    expect(rows.map((r) => r.name).sort()).toEqual(['slow-cmdline', 'slow-initrd.img', 'slow-kernel', 'slow.contents.json', 'slow.intoto.jsonl', 'slow.spdx.json']);
    for (const r of rows) {
      const bytes = await readFile(path.join(p.dataDir, 'artifacts', r.storageKey));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(r.sha256);
    }
    const incoming = await readdir(path.join(p.dataDir, 'artifacts', '.incoming')).catch(() => []);
    expect(incoming).toEqual([]);
    const stored = await readdir(path.join(p.dataDir, 'artifacts', 'builds', id));
    expect(stored.sort()).toEqual(['slow-cmdline', 'slow-initrd.img', 'slow-kernel', 'slow.contents.json', 'slow.intoto.jsonl', 'slow.spdx.json']);
    const finals = await p.testDb.db.buildEvent.findMany({ where: { buildId: id, type: 'status' } });
    expect(finals.filter((e) => JSON.parse(e.payload).status === 'succeeded')).toHaveLength(1);
  });

  it('oscompose submit --download: submits, follows, downloads and verifies', async () => {
    const dir = path.join(p.dir, 'submit');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
    const specFile = path.join(dir, 'cli.yml');
    await import('node:fs/promises').then((fs) => fs.writeFile(specFile, spec()));
    let err = '';
    let out = '';
    const code = await runSubmit([specFile, '-f', 'kernel+initrd', '--download', path.join(dir, 'out'), '--server', api.url], {
      out: (s) => (out += s),
      err: (s) => (err += s),
      env: { XDG_CONFIG_HOME: path.join(dir, 'nocfg') },
    });
    expect(code, err).toBe(0);
    expect(err).toMatch(/status: succeeded/);
    const files = (await readdir(path.join(dir, 'out'))).sort();
    // The signed provenance comes along, for `oscompose verify`, and the SBOM.
    expect(files).toEqual(['cli-cmdline', 'cli-initrd.img', 'cli-kernel', 'cli.intoto.jsonl', 'cli.spdx.json']);
    expect(out).toMatch(/succeeded/);
  });
  it('SIGTERM: the worker stops taking jobs, hands its unfinished build back, another finishes it', async () => {
    const slowSpec = specText(refs, { onboot: [{ name: 'slow', image: refs.slow }], files: [{ path: 'etc/term', contents: String(Date.now()) }] });
    const created = await http('POST', '/api/v1/builds', { spec: slowSpec, formats: ['kernel+initrd'], name: 'term', fresh: true });
    const id = created.body.id;
    const until = Date.now() + 120_000;
    while ((await p.testDb.db.build.findUniqueOrThrow({ where: { id } })).status !== 'running') {
      if (Date.now() > until) throw new Error('the build never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    const current = workers.at(-1)!;
    const exited = new Promise<number | null>((r) => current.proc.once('exit', (code) => r(code)));
    current.proc.kill('SIGTERM');
    // Grace is WORKER_SHUTDOWN_GRACE_SECONDS (10) - 5 s: the build is aborted and handed back, exit 0.
    expect(await exited).toBe(0);
    const w3 = startWorker('w3', p.workerEnv);
    workers.push(w3);
    await workerReady(w3);
    const build = await waitStatus(id, ['succeeded', 'failed']);
    expect(build.status, build.error ?? '').toBe('succeeded');
    // Either the build finished within the grace period, or w3 took it over.
    expect(build.workerId).toMatch(/^(w2|w3)#/);
    expect((await p.testDb.db.artifact.findMany({ where: { buildId: id } })).map((a) => a.name).sort()).toEqual(['term-cmdline', 'term-initrd.img', 'term-kernel', 'term.contents.json', 'term.intoto.jsonl', 'term.spdx.json']);
  });
});
