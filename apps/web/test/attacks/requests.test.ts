// Attacks with hostile requests, through the API handlers behind a real HTTP server with a private
// Redis, SQLite and a real worker: artifact names that try to climb out of the artifact store
// (`..`, `%2F`, NUL, backslashes, double and broken encodings), a spec over 1 MiB, a body too big
// to hold, a YAML alias bomb. What an attacker looks for: a file from outside the store (the
// server's secret next to it), a build queued anyway, the server's memory going up.

import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, serveApi, type ServedApi, specText, startPipeline, startWorker, workerReady, writeTestImages, type Pipeline, type WorkerProcess } from '@oscompose/worker/testing';

let p: Pipeline;
let served: ServedApi;
let worker: WorkerProcess;
let refs: Awaited<ReturnType<typeof writeTestImages>>;
let webDeps: Awaited<ReturnType<Pipeline['webDeps']>>;
let buildId = '';
let otherTeamBuild = '';
const secret = `secret-${randomBytes(16).toString('hex')}`;
const client = apiClient(() => served.api.url);

/** A request sent byte for byte as given: no client-side normalising of `..` or encodings. */
function raw(method: string, pathAndQuery: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(served.api.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method, path: pathAndQuery, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

async function nothingQueued<T>(fn: () => Promise<T>): Promise<T> {
  const before = await p.testDb.db.build.count();
  const jobs = await webDeps.queue.count();
  const out = await fn();
  expect(await p.testDb.db.build.count()).toBe(before);
  expect(await webDeps.queue.count()).toBe(jobs);
  return out;
}

beforeAll(async () => {
  p = await startPipeline();
  refs = await writeTestImages(p.imageStore, { blobBytes: 1024 });
  served = await serveApi(p);
  webDeps = served.webDeps;
  worker = startWorker('req', p.workerEnv);
  await workerReady(worker);
  // Secrets an attacker wants, next to and above the artifact store.
  await writeFile(path.join(p.dataDir, 'auth-secret'), secret);
  await writeFile(path.join(p.dataDir, 'artifacts', 'secret.txt'), secret).catch(async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(p.dataDir, 'artifacts'), { recursive: true });
    await writeFile(path.join(p.dataDir, 'artifacts', 'secret.txt'), secret);
  });
  const created = await client.http('POST', '/api/v1/builds', { spec: specText(refs), formats: ['kernel+initrd'], name: 'pipe' });
  buildId = created.body.id;
  expect((await client.waitStatus(buildId, ['succeeded', 'failed'])).status).toBe('succeeded');
  // Another team's build with an artifact of the same name.
  const other = await p.testDb.db.team.create({ data: { name: 'Other', slug: `other-${randomBytes(3).toString('hex')}` } });
  const row = await p.testDb.db.build.create({ data: { teamId: other.id, specText: 'x', specHash: 'x', formats: '["kernel+initrd"]', status: 'succeeded' } });
  const mine = await p.testDb.db.artifact.findFirstOrThrow({ where: { buildId, name: 'pipe-kernel' } });
  await p.testDb.db.artifact.create({ data: { buildId: row.id, name: 'pipe-kernel', format: 'kernel+initrd', size: mine.size, sha256: mine.sha256, storageKey: mine.storageKey } });
  otherTeamBuild = row.id;
});

afterAll(async () => {
  await worker?.kill();
  await served?.close();
  await p?.cleanup();
});

describe('artifact names that try to leave the store', () => {
  it('the real artifact downloads (the control)', async () => {
    const res = await raw('GET', `/api/v1/builds/${buildId}/artifacts/pipe-kernel`);
    expect(res.status).toBe(200);
  });

  const names = [
    '..',
    '%2e%2e',
    '..%2F..%2Fauth-secret',
    '%2e%2e%2f%2e%2e%2fauth-secret',
    '..%2Fsecret.txt',
    '%2Fetc%2Fpasswd',
    'pipe-kernel%2F..%2F..%2F..%2Fauth-secret',
    '..%5C..%5Cauth-secret',
    '%00',
    'pipe-kernel%00',
    'pipe-kernel%00.txt',
    '%252e%252e%252fauth-secret', // double-encoded: decoded once it is a literal, harmless name
    '%E0%A4%A', // broken percent-encoding
    '..%c0%af..%c0%afauth-secret', // overlong UTF-8 "/"
  ];
  it.each(names)('GET …/artifacts/%s → 400 or 404, never a file', async (name) => {
    const res = await raw('GET', `/api/v1/builds/${buildId}/artifacts/${name}`);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain(secret);
    expect(res.body).not.toMatch(/root:x:0:0/);
    expect(JSON.parse(res.body).error.message).toBeTruthy();
  });

  it('raw `..` segments are normalised away by the server and reach no file', async () => {
    for (const path of [`/api/v1/builds/${buildId}/artifacts/../../../../auth-secret`, `/api/v1/builds/${buildId}/artifacts/../../${buildId}/artifacts/..`, '/api/v1/builds/../../../../etc/passwd']) {
      const res = await raw('GET', path);
      expect(res.status).not.toBe(200);
      expect(res.body).not.toContain(secret);
      expect(res.body).not.toMatch(/root:x:0:0/);
    }
  });

  it("another team's artifact of the same name is not found, and says nothing of it", async () => {
    const res = await raw('GET', `/api/v1/builds/${otherTeamBuild}/artifacts/pipe-kernel`);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).error.message).toBe(`Artifact pipe-kernel of build ${otherTeamBuild} was not found (or belongs to another team).`);
  });

  it('a name with a path in it is refused with a message that says what a name is', async () => {
    const res = await raw('GET', `/api/v1/builds/${buildId}/artifacts/..%2F..%2Fauth-secret`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.message).toMatch(/an artifact file name such as linuxkit-kernel/);
  });
});

describe('oversized and hostile specs', () => {
  it('a spec over 1 MiB: 400 with a message naming the limit; nothing queued', async () => {
    const spec = specText(refs) + `# ${'x'.repeat(1024 * 1024)}\n`;
    const res = await nothingQueued(() => client.http('POST', '/api/v1/builds', { spec, formats: ['tar'] }));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('body.spec: the spec is larger than 1048576 bytes (1 MiB), the most a spec may have; put large file contents into an image');
  });

  it('a body too big to hold: 413 before it is read, with or without a Content-Length', async () => {
    const body = Buffer.from(JSON.stringify({ spec: 'x'.repeat(6 * 1024 * 1024), formats: ['tar'] }));
    const declared = await nothingQueued(() => raw('POST', '/api/v1/builds', body, { 'content-type': 'application/json', 'content-length': String(body.length) }));
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error).toMatchObject({ code: 'too_large', message: expect.stringMatching(/larger than 4194304 bytes, the most this API reads/) });
    const chunked = await nothingQueued(() => raw('POST', '/api/v1/builds', body, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }));
    expect(chunked.status).toBe(413);
  });

  it('a YAML alias bomb: 400 invalid_spec at the line of the first alias, quickly and without the memory', async () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) bomb.push(`${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(9).fill(`*${'abcdefghij'[i - 1]}`).join(',')}]`);
    const spec = specText(refs) + bomb.join('\n') + '\n';
    const heap = process.memoryUsage().heapUsed;
    const res = await nothingQueued(() => client.http('POST', '/api/v1/builds', { spec, formats: ['tar'] }));
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 2 ** 20);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_spec');
    const line = specText(refs).split('\n').length + 1; // the `b:` line holds the first alias
    expect(res.body.error.problems[0]).toMatchObject({ line, message: expect.stringMatching(/alias bomb/) });

    // The editor's validation and saving a composition refuse it the same way.
    const { POST: validate } = await import('../../app/api/v1/specs/validate/route');
    const v = await validate(new Request('http://x/api/v1/specs/validate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spec }) }));
    expect(((await v.json()) as { problems: { line: number; message: string }[] }).problems[0]).toMatchObject({ line, message: expect.stringMatching(/alias bomb/) });
    const { POST: save } = await import('../../app/api/v1/compositions/route');
    const c = await save(new Request('http://x/api/v1/compositions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bomb', spec }) }));
    // Refused while parsing, before the composition is written anywhere.
    expect(c.status).toBe(400);
    expect(((await c.json()) as { error: { problems: { line: number; message: string }[] } }).error.problems[0]).toMatchObject({ line, message: expect.stringMatching(/alias bomb/) });
  });
});
