// Against the real Redis (REDIS_URL, default 127.0.0.1:6379), under a prefix of its own.
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBuildQueue,
  createProducerConnection,
  createWorkerConnection,
  DEFAULT_REDIS_URL,
  enqueueBuild,
  listWorkers,
  pingRedis,
  removeHeartbeat,
  writeHeartbeat,
  type WorkerHeartbeat,
} from './index';

const url = process.env.REDIS_URL || DEFAULT_REDIS_URL;
const prefix = `oscompose-test-${process.pid}-${Date.now().toString(36)}`;
const producer = createProducerConnection(url);
const workerConn = createWorkerConnection(url);

beforeAll(async () => {
  await pingRedis(producer, url); // fails with "Start it (redis-server) or set REDIS_URL"
});

afterAll(async () => {
  const keys = await producer.keys(`${prefix}:*`);
  if (keys.length) await producer.del(...keys);
  producer.disconnect();
  workerConn.disconnect();
});

const beat = (id: string): WorkerHeartbeat => ({
  id,
  hostname: 'test',
  pid: process.pid,
  version: '0.1.0',
  startedAt: new Date().toISOString(),
  seenAt: new Date().toISOString(),
  concurrency: 1,
  activeJobs: 0,
  state: 'idle',
});

describe('worker heartbeats', () => {
  it('lists live workers and forgets expired and removed ones', async () => {
    await writeHeartbeat(producer, beat('w-b'), { prefix });
    await writeHeartbeat(producer, beat('w-a'), { prefix });
    await writeHeartbeat(producer, beat('w-gone'), { prefix, ttlSeconds: 1 });
    expect((await listWorkers(producer, { prefix })).map((w) => w.id)).toEqual(['w-a', 'w-b', 'w-gone']);

    await producer.del(`${prefix}:worker:w-gone`); // what the TTL does after a crash
    await removeHeartbeat(producer, 'w-b', { prefix }); // what a graceful stop does
    expect((await listWorkers(producer, { prefix })).map((w) => w.id)).toEqual(['w-a']);
    expect(await producer.sismember(`${prefix}:workers`, 'w-gone')).toBe(0);
  });
});

describe('build queue', () => {
  it('delivers { buildId } to a worker once per build id', async () => {
    const queue = createBuildQueue(producer, { prefix });
    await enqueueBuild(queue, { buildId: 'build-1' });
    await enqueueBuild(queue, { buildId: 'build-1' }); // duplicate submit
    await expect(enqueueBuild(queue, { buildId: '' })).rejects.toThrow('buildId must not be empty');
    const counts = await queue.getJobCounts('waiting', 'prioritized');
    expect((counts.waiting ?? 0) + (counts.prioritized ?? 0)).toBe(1);

    const seen: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      const worker = new Worker(
        'builds',
        async (job) => {
          seen.push(job.data);
          return 'ok';
        },
        { connection: workerConn, prefix },
      );
      worker.on('completed', async () => {
        await worker.close();
        resolve();
      });
    });
    await done;
    expect(seen).toEqual([{ buildId: 'build-1' }]);
    await queue.close();
  });
});
