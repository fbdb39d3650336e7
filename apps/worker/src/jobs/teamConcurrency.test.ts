// Per-team concurrency with real worker processes and a real Redis: team A submits a pile of
// builds, team B one build afterwards. With OSCOMPOSE_TEAM_CONCURRENCY=1 and two workers, B's build
// starts while most of A's are still queued, A never runs two builds at once, every build succeeds
// once, and the builds held back used no attempt.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, serveApi, type ServedApi } from './testing/api';
import { specText, startPipeline, startWorker, workerReady, writeTestImages, type Pipeline, type WorkerProcess } from './testing/harness';

let p: Pipeline;
let served: ServedApi;
let refs: Awaited<ReturnType<typeof writeTestImages>>;
let teamB: { userId: string; teamId: string };
const workers: WorkerProcess[] = [];
const asA = apiClient(() => served.api.url, { 'x-test-team': 'a' });
const asB = apiClient(() => served.api.url, { 'x-test-team': 'b' });

beforeAll(async () => {
  p = await startPipeline();
  refs = await writeTestImages(p.imageStore, { blobBytes: 32 * 1024 * 1024 });
  const db = p.testDb.db;
  const user = await db.user.create({ data: { name: 'B', email: `b-${randomBytes(3).toString('hex')}@example.com` } });
  const team = await db.team.create({ data: { name: 'B', slug: `b-${randomBytes(3).toString('hex')}` } });
  await db.membership.create({ data: { userId: user.id, teamId: team.id, role: 'owner' } });
  teamB = { userId: user.id, teamId: team.id };
  served = await serveApi(p, async (req) =>
    req.headers.get('x-test-team') === 'b'
      ? { ...teamB, role: 'owner', via: 'local' }
      : { userId: p.testDb.userId, teamId: p.testDb.teamId, role: 'owner', via: 'local' },
  );
  // Every build does real work (no section cache), so A's builds take a while each.
  const env = { ...p.workerEnv, OSCOMPOSE_TEAM_CONCURRENCY: '1', WORKER_CONCURRENCY: '1', OSCOMPOSE_NO_SECTION_CACHE: '1' };
  for (const id of ['t1', 't2']) workers.push(startWorker(id, env));
  await Promise.all(workers.map((w) => workerReady(w)));
});

afterAll(async () => {
  for (const w of workers) await w.kill();
  await served?.close();
  await p?.cleanup();
});

describe('per-team concurrency (OSCOMPOSE_TEAM_CONCURRENCY)', () => {
  it("team B's build starts before team A's queue drains; A never runs two at once", async () => {
    const spec = (tag: string) => specText(refs, { onboot: [{ name: 'slow', image: refs.slow }], files: [{ path: 'etc/build', contents: tag }] });
    const aIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await asA.http('POST', '/api/v1/builds', { spec: spec(`a${i}`), formats: ['kernel+initrd'] });
      expect(res.status).toBe(202);
      aIds.push(res.body.id);
    }
    const db = p.testDb.db;
    // B submits once A's first build runs.
    for (const until = Date.now() + 60_000; ; ) {
      if ((await db.build.count({ where: { id: { in: aIds }, status: 'running' } })) > 0) break;
      if (Date.now() > until) throw new Error("team A's first build never started");
      await new Promise((r) => setTimeout(r, 50));
    }
    const b = await asB.http('POST', '/api/v1/builds', { spec: spec('b'), formats: ['kernel+initrd'] });
    expect(b.status).toBe(202);

    // Watch: how many of A's builds run at once, and how many were still queued when B started.
    let maxARunning = 0;
    let aQueuedWhenBStarted: number | undefined;
    for (const until = Date.now() + 300_000; ; ) {
      const rows = await db.build.findMany({ where: { id: { in: [...aIds, b.body.id] } }, select: { id: true, status: true } });
      const a = rows.filter((r) => r.id !== b.body.id);
      maxARunning = Math.max(maxARunning, a.filter((r) => r.status === 'running').length);
      const bRow = rows.find((r) => r.id === b.body.id)!;
      if (aQueuedWhenBStarted === undefined && bRow.status !== 'queued') aQueuedWhenBStarted = a.filter((r) => r.status === 'queued').length;
      if (rows.every((r) => r.status === 'succeeded' || r.status === 'failed')) break;
      if (Date.now() > until) throw new Error(`builds did not finish: ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const all = await db.build.findMany({ where: { id: { in: [...aIds, b.body.id] } } });
    const story = all.map((r) => `${r.id === b.body.id ? 'B' : 'A'} ${r.status} ${r.startedAt?.toISOString()}–${r.finishedAt?.toISOString()} ${r.workerId} attempts=${r.attempts} ${r.error ?? ''}`).join('\n');
    console.log(`[team concurrency] A builds still queued when B started: ${aQueuedWhenBStarted} of 5\n${story}`);
    expect(all.every((r) => r.status === 'succeeded'), story).toBe(true);
    expect(aQueuedWhenBStarted, story).toBeGreaterThanOrEqual(3);
    expect(maxARunning, story).toBe(1);
    // Nothing of A ran at the same time as another of A (from the rows' own times).
    const aRows = all.filter((r) => r.id !== b.body.id).sort((x, y) => x.startedAt!.getTime() - y.startedAt!.getTime());
    for (let i = 1; i < aRows.length; i++) expect(aRows[i]!.startedAt!.getTime(), story).toBeGreaterThanOrEqual(aRows[i - 1]!.finishedAt!.getTime());
    // B ran beside A (on the other worker), not after it.
    const bRow = all.find((r) => r.id === b.body.id)!;
    expect(bRow.startedAt!.getTime(), story).toBeLessThan(aRows.at(-1)!.startedAt!.getTime());
    // Being held back used no attempt: every build ran exactly once.
    expect(all.map((r) => r.attempts), story).toEqual(all.map(() => 1));
    // The slots are all free again (each is released just after its build's final write).
    const { Redis } = await import('ioredis');
    const r = new Redis(p.redis.url);
    r.on('error', () => {});
    let held = await r.keys(`${p.prefix}:team-running:*`);
    for (let i = 0; i < 50 && held.length; i++) {
      await new Promise((res) => setTimeout(res, 100));
      held = await r.keys(`${p.prefix}:team-running:*`);
    }
    expect(held).toEqual([]);
    r.disconnect();
  });
});
