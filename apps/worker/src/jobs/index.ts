// The job hosts this worker runs. The build pipeline registers its BullMQ worker here.
import path from 'node:path';
import { listenForCancels } from '@oscompose/queue';
import { createArtifactStore } from '@oscompose/storage';
import type { JobHost, WorkerContext } from '../context';
import { createRealEngine } from '../build/realEngine';
import { startBuildWorker } from './build';

export async function startJobHosts(ctx: WorkerContext): Promise<JobHost[]> {
  const { config, log } = ctx;
  const engine = await createRealEngine({ cacheDir: config.cacheDir, imageStores: [config.imageStore], bootTimeoutMs: config.bootTimeoutMs });
  const cancels = await listenForCancels(ctx.redisConnection());
  const publisher = ctx.redisConnection();
  const builds = startBuildWorker(
    {
      db: ctx.prisma,
      store: createArtifactStore({ ...process.env, OSCOMPOSE_DATA_DIR: config.dataDir }),
      engine,
      workRoot: path.join(config.dataDir, 'work'),
      bootCheck: config.bootCheck,
      workerId: config.workerId,
      publisher,
      cancels,
      log: (msg, extra) => log.info(extra ?? {}, msg),
    },
    {
      connection: ctx.redisConnection(),
      prefix: config.redisPrefix,
      settings: {
        concurrency: config.concurrency,
        lockDurationMs: config.lockMs,
        stalledIntervalMs: config.stalledCheckMs,
        maxStalledCount: config.maxStalled,
      },
    },
  );
  log.info({ engine: engine.version, formats: engine.formats() }, 'build jobs: ready');
  return [
    {
      name: 'builds',
      activeJobs: () => builds.processor.active(),
      async close() {
        // Leave a margin inside the process's grace period to hand unfinished builds back.
        await builds.close(Math.max(1000, config.shutdownGraceMs - 5000));
        await cancels.close();
      },
    },
  ];
}
