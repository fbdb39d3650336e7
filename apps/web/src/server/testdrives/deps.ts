// The testdrive services' connections: the build services' database, Redis and subscriber
// factory (../builds/deps, which tests replace with setBuildDeps), plus the testdrive queue on
// the same producer connection and prefix, made once per set of deps.

import { createTestdriveQueue, type TestdriveJobData } from '@oscompose/queue';
import type { Queue } from 'bullmq';
import { buildDeps, type BuildDeps } from '../builds/deps';

const queues = new WeakMap<BuildDeps, Queue<TestdriveJobData>>();

export async function testdriveDeps(): Promise<BuildDeps & { testdriveQueue: Queue<TestdriveJobData> }> {
  const deps = await buildDeps();
  let queue = queues.get(deps);
  if (!queue) queues.set(deps, (queue = createTestdriveQueue(deps.redis, { prefix: deps.redisPrefix })));
  return { ...deps, testdriveQueue: queue };
}

/** Tests: close the queue made for the current deps (before closeBuildDeps). */
export async function closeTestdriveQueue(): Promise<void> {
  const deps = await buildDeps();
  await queues.get(deps)?.close().catch(() => undefined);
  queues.delete(deps);
}
