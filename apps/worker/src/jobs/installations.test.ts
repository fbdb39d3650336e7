// Two installations on one real Redis: each has its own database (SQLite), worker process and
// web side (a process of its own, configured only by its environment), and no Redis prefix set,
// so each derives its own from its database. Each builds its own spec, lists only its own worker
// in /api/health and never takes the other's jobs. Then the misconfiguration the prefix exists
// to prevent (both set one OSCOMPOSE_REDIS_PREFIX): a worker leaves the other's job alone.
import { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuildQueue, createProducerConnection, enqueueBuild } from '@oscompose/queue';
import { installationId } from '@oscompose/db';
import { apiClient } from './testing/api';
import {
  specText,
  startPipeline,
  startWebProcess,
  startWorker,
  workerReady,
  writeTestImages,
  type Pipeline,
  type WebProcess,
  type WorkerProcess,
} from './testing/harness';
import { startRedis, type RedisServer } from '@oscompose/queue/testing';

let redis: RedisServer;
const pipelines: Pipeline[] = [];
const workers: WorkerProcess[] = [];
const webs: WebProcess[] = [];

async function installation(name: string, env: Record<string, string> = {}) {
  const p = await startPipeline({ redis, ownPrefix: !env.OSCOMPOSE_REDIS_PREFIX, workerEnv: env });
  pipelines.push(p);
  const refs = await writeTestImages(p.imageStore, { blobBytes: 1024 });
  const spec = specText(refs, { files: [{ path: 'etc/issue', contents: `installation ${name}\n` }] });
  const web = await startWebProcess(p.workerEnv, { userId: p.testDb.userId, teamId: p.testDb.teamId });
  webs.push(web);
  return { p, spec, web, client: apiClient(() => web.url) };
}

function worker(id: string, p: Pipeline) {
  const w = startWorker(id, p.workerEnv);
  workers.push(w);
  return w;
}

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const w of workers) await w.kill();
  for (const w of webs) await w.kill();
  for (const p of pipelines) await p.cleanup();
  await redis?.stop();
});

describe('installations sharing one Redis', () => {
  it('each derives its own prefix, builds its own specs, lists only its own worker and takes only its own jobs', async () => {
    const a = await installation('A');
    const b = await installation('B');
    expect(a.p.prefix).toMatch(/^oscompose:[0-9a-f]{12}$/);
    expect(b.p.prefix).toMatch(/^oscompose:[0-9a-f]{12}$/);
    expect(a.p.prefix).not.toBe(b.p.prefix);
    const wa = worker('worker-a', a.p);
    const wb = worker('worker-b', b.p);
    await Promise.all([workerReady(wa), workerReady(wb)]);

    // Health: each sees its own worker only (the heartbeats are on the same Redis).
    for (const [inst, own] of [[a, 'worker-a'], [b, 'worker-b']] as const) {
      let ids: string[] = [];
      for (let i = 0; i < 100 && ids.length === 0; i++) {
        const h = await inst.client.http('GET', '/api/health');
        ids = h.body.workers.map((w: { id: string }) => w.id);
        if (!ids.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect(ids).toEqual([own]);
    }

    // Several builds each, submitted together: with one shared queue either worker would grab
    // some of the other's.
    const submitted = await Promise.all(
      [a, b, a, b, a, b].map(async (inst, i) => {
        const res = await inst.client.http('POST', '/api/v1/builds', { spec: inst.spec, formats: ['tar'], name: `n${i}` });
        expect(res.status, JSON.stringify(res.body)).toBe(202);
        return { inst, id: res.body.id as string };
      }),
    );
    for (const { inst, id } of submitted) {
      const build = await inst.client.waitStatus(id, ['succeeded', 'failed'], 120_000);
      expect(build.status, build.error).toBe('succeeded');
      const tar = build.artifacts.find((x: { name: string }) => x.name.endsWith('.tar'));
      const bytes = Buffer.from(await (await fetch(inst.web.url + tar.downloadUrl)).arrayBuffer());
      const mine = inst === a ? 'installation A' : 'installation B';
      const theirs = inst === a ? 'installation B' : 'installation A';
      expect(bytes.includes(mine)).toBe(true);
      expect(bytes.includes(theirs)).toBe(false);
    }
    // Who ran what: the rows say, and neither worker ever saw a build of the other installation.
    for (const [inst, own, other] of [[a, 'worker-a', wb], [b, 'worker-b', wa]] as const) {
      const rows = await inst.p.testDb.db.build.findMany({ select: { id: true, workerId: true } });
      expect(rows).toHaveLength(3);
      for (const r of rows) {
        expect(r.workerId).toMatch(new RegExp(`^${own}#`));
        expect(other.output()).not.toContain(r.id);
      }
    }
    expect(wa.output() + wb.output()).not.toMatch(/left alone|job dropped/);
  }, 300_000);

  it('with one OSCOMPOSE_REDIS_PREFIX set for both, a worker hands the other installation\'s job back untouched', async () => {
    const shared = { OSCOMPOSE_REDIS_PREFIX: `shared${process.pid}` };
    const c = await installation('C', shared);
    const d = await installation('D', shared);
    const wd = worker('worker-d', d.p);
    await workerReady(wd);

    const res = await c.client.http('POST', '/api/v1/builds', { spec: c.spec, formats: ['tar'], name: 'c' });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    const conn = createProducerConnection(redis.url);
    const queue = createBuildQueue(conn, { prefix: shared.OSCOMPOSE_REDIS_PREFIX });
    try {
      for (let i = 0; i < 100 && !wd.output().includes('job left alone'); i++) await new Promise((r) => setTimeout(r, 200));
      expect(wd.output()).toContain('job left alone: its build belongs to another installation');
      expect(wd.output()).toContain(id);
      // Untouched: still queued in C's database, no event, no attempt used; the job waits.
      const row = await c.p.testDb.db.build.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ status: 'queued', attempts: 0, workerId: null });
      expect(await c.p.testDb.db.buildEvent.count({ where: { buildId: id } })).toBe(0);
      const job = await Job.fromId(queue, id);
      expect(await job!.getState()).toBe('delayed');
      expect(job!.attemptsMade).toBe(0);

      // C's own worker builds it once it looks again (promote: the 30 s wait, skipped).
      await wd.kill('SIGTERM');
      const wc = worker('worker-c', c.p);
      await workerReady(wc);
      await job!.promote();
      const build = await c.client.waitStatus(id, ['succeeded', 'failed'], 120_000);
      expect(build.status, build.error).toBe('succeeded');

      // A job of C's whose build row is gone (the team was deleted) is dropped, and says so.
      await enqueueBuild(queue, { buildId: 'no-such-build', installation: await installationId(c.p.testDb.db) });
      for (let i = 0; i < 100 && !wc.output().includes('job dropped'); i++) await new Promise((r) => setTimeout(r, 200));
      expect(wc.output()).toMatch(/"buildId":"no-such-build".*job dropped: its build does not exist in this database/);
    } finally {
      await queue.close();
      conn.disconnect();
    }
  }, 300_000);
});
