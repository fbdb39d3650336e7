// The job hosts this worker runs. The build pipeline registers its BullMQ worker here.
import path from 'node:path';
import { createBuildQueue, listenForCancels } from '@oscompose/queue';
import { createArtifactStore } from '@oscompose/storage';
import { ensureSigningKey } from '@oscompose/engine';
import type { JobHost, WorkerContext } from '../context';
import { createBuildEngine } from '../build/buildEngine';
import { createBootStep } from '../build/bootStep';
import { engineLimits } from '../build/limits';
import { startBuildWorker } from './build';
import { startTestdriveWorker } from './testdrive';
import { reconcileBuilds } from './reconcile';
import { sweepRetention } from './retention';
import { teamSlots } from './teamSlots';

export async function startJobHosts(ctx: WorkerContext): Promise<JobHost[]> {
  const { config, log } = ctx;
  const engine = createBuildEngine({ cacheDir: config.cacheDir, imageStores: [config.imageStore], limits: engineLimits(config.limits), sourceDateEpoch: config.sourceDateEpoch, sectionCache: config.sectionCache, registryAuth: config.registryAuth });
  const cancels = await listenForCancels(ctx.redisConnection(), ctx.redisPrefix);
  const publisher = ctx.redisConnection();
  const store = createArtifactStore(config.artifactStore);
  const builds = startBuildWorker(
    {
      db: ctx.prisma,
      store,
      engine,
      workRoot: path.join(config.dataDir, 'work'),
      bootCheck: config.bootCheck ? createBootStep({ timeoutMs: config.bootTimeoutMs }) : undefined,
      registries: { allowed: config.allowedRegistries, own: config.registry },
      maxArtifactBytes: config.limits.artifactBytes,
      // The instance's signing key lives in the data dir, shared with the web app (GET /api/v1/keys).
      provenance: { keyDir: path.join(config.dataDir, 'keys'), workerId: config.workerId },
      maxBuildSeconds: config.limits.buildSeconds,
      // A dead worker's slots free themselves after the lease; a live one renews well before.
      teamSlots: teamSlots(ctx.redisConnection(), { prefix: ctx.redisPrefix, limit: config.teamConcurrency, leaseMs: Math.max(10_000, 2 * config.lockMs) }),
      slotRenewMs: Math.max(1000, config.lockMs / 2),
      workerId: config.workerId,
      installationId: ctx.installationId,
      redisPrefix: ctx.redisPrefix,
      publisher,
      cancels,
      log: (msg, extra) => log.info(extra ?? {}, msg),
    },
    {
      connection: ctx.redisConnection(),
      settings: {
        concurrency: config.concurrency,
        lockDurationMs: config.lockMs,
        stalledIntervalMs: config.stalledCheckMs,
        maxStalledCount: config.maxStalled,
      },
    },
  );
  // Builds the database has but the queue lost (see reconcile.ts), checked every 30 s.
  const queue = createBuildQueue(ctx.redisConnection(), { prefix: ctx.redisPrefix });
  const olderThanMs = Math.max(60_000, 2 * (config.lockMs + config.stalledCheckMs));
  const reconciler = setInterval(() => {
    reconcileBuilds(ctx.prisma, queue, { olderThanMs, installation: ctx.installationId })
      .then((r) => {
        if (r.requeued.length || r.failed.length) log.warn(r, 'reconciled builds the queue had lost');
      })
      .catch((err) => log.debug({ err: String(err) }, 'reconcile skipped'));
  }, 30_000);
  reconciler.unref();
  // Retention (off unless OSCOMPOSE_RETENTION_DAYS > 0): hourly; several workers sweeping is harmless.
  const retention = config.retention.keepDays > 0
    ? setInterval(() => {
        sweepRetention(ctx.prisma, store, config.retention)
          .then((plan) => plan.expiredBuildIds.length && log.info({ builds: plan.expiredBuildIds.length, objects: plan.deleteKeys.length }, 'retention: removed old artifacts'))
          .catch((err) => log.warn({ err: String(err) }, 'retention sweep failed'));
      }, 3_600_000)
    : undefined;
  retention?.unref();
  // Generated at the first start (here or by the web app, whichever comes first).
  const signingKey = await ensureSigningKey(path.join(config.dataDir, 'keys'));
  log.info({ engine: engine.version, formats: engine.formats(), signingKey: signingKey.keyId }, 'build jobs: ready');
  // Testdrives: VMs started from published artifacts, their consoles relayed through Redis.
  const testdrives = config.testdrives.perWorker > 0
    ? startTestdriveWorker(
        {
          db: ctx.prisma,
          store,
          redis: publisher,
          blockingConnection: ctx.redisConnection,
          redisPrefix: ctx.redisPrefix,
          workRoot: path.join(config.dataDir, 'work'),
          maxMemoryMb: config.testdrives.maxMemoryMb,
          maxCpus: config.testdrives.maxCpus,
          workerId: config.workerId,
          installationId: ctx.installationId,
          log: (msg, extra) => log.info(extra ?? {}, msg),
        },
        { connection: ctx.redisConnection(), concurrency: config.testdrives.perWorker },
      )
    : undefined;
  if (testdrives) log.info({ perWorker: config.testdrives.perWorker }, 'testdrive jobs: ready');
  return [
    ...(testdrives ? [{ name: 'testdrives', activeJobs: () => testdrives.active(), close: () => testdrives.close() }] : []),
    {
      name: 'builds',
      activeJobs: () => builds.processor.active(),
      async close() {
        // Leave a margin inside the process's grace period to hand unfinished builds back.
        clearInterval(reconciler);
        if (retention) clearInterval(retention);
        await builds.close(Math.max(1000, config.shutdownGraceMs - 5000));
        await cancels.close();
        await queue.close().catch(() => {});
      },
    },
  ];
}
