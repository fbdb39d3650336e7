// reconcileBuilds against a real Redis (private redis-server) and a real SQLite database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuildQueue, createProducerConnection, enqueueBuild } from '@oscompose/queue';
import { createTestDb, startRedis, type RedisServer, type TestDb } from '@oscompose/queue/testing';
import { reconcileBuilds } from './reconcile';

let dir: string;
let redis: RedisServer;
let t: TestDb;
let queue: ReturnType<typeof createBuildQueue>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-reconcile-'));
  redis = await startRedis();
  t = await createTestDb(dir);
  const conn = createProducerConnection(redis.url);
  queue = createBuildQueue(conn, { prefix: 'rt' });
});
afterAll(async () => {
  await queue?.close();
  await t?.db.$disconnect();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

const newBuild = (status: string) =>
  t.db.build.create({ data: { teamId: t.teamId, specText: 'x', specHash: 'h', status, formats: '["tar"]' } });

describe('reconcileBuilds', () => {
  it('re-enqueues a queued build with no job, leaves waiting jobs and young rows alone', async () => {
    const orphan = await newBuild('queued');
    const waiting = await newBuild('queued');
    await enqueueBuild(queue, { buildId: waiting.id });
    const later = new Date(Date.now() + 120_000);
    const young = await reconcileBuilds(t.db, queue, { olderThanMs: 60_000 });
    expect(young.requeued).toEqual([]); // rows are younger than the threshold
    const r = await reconcileBuilds(t.db, queue, { olderThanMs: 60_000, now: later });
    expect(r.requeued).toEqual([orphan.id]);
    expect(await (await queue.getJob(orphan.id))?.getState()).toMatch(/waiting|prioritized/);
    // Idempotent: the second pass finds a job for it.
    expect((await reconcileBuilds(t.db, queue, { olderThanMs: 60_000, now: later })).requeued).toEqual([]);
  });
});
