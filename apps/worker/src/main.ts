// The worker process: validated config, logger, database and Redis checks, the job hosts
// (BullMQ workers) and a heartbeat. SIGTERM/SIGINT: stop taking jobs, let running ones finish
// (up to WORKER_SHUTDOWN_GRACE_SECONDS), close connections, exit 0. A second signal exits at once.
import { hostname } from 'node:os';
import { qemuAvailable } from '@oscompose/bootcheck';
import { createPrisma, installationId, installationRedisPrefix, redactUrl } from '@oscompose/db';
import { availableFormats, describeMissing, getFormat, listFormats, missingTools } from '@oscompose/engine';
import { createWorkerConnection, pingRedis } from '@oscompose/queue';
import type { Redis } from 'ioredis';
import { ConfigError, loadWorkerConfig } from './config';
import type { JobHost, WorkerContext } from './context';
import { startHeartbeat } from './heartbeat';
import { startJobHosts } from './jobs/index';
import { createLogger, type Logger } from './logger';

const VERSION = '0.1.0';

async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel, workerId: config.workerId });
  const startedAt = new Date().toISOString();

  const prisma = createPrisma(config.databaseUrl);
  try {
    await prisma.$queryRawUnsafe('SELECT 1');
  } catch (err) {
    log.fatal(
      { err: (err as Error).message },
      `database ${redactUrl(config.databaseUrl)} is not reachable: start it or fix DATABASE_URL (migrations: npm start does them)`,
    );
    process.exit(1);
  }
  // Which installation this worker serves: its database says, and names its Redis keys.
  let installation: string;
  let redisPrefix: string;
  try {
    installation = await installationId(prisma);
    redisPrefix = await installationRedisPrefix(prisma, config.redisPrefix);
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'could not read the installation id from the database (migrations: npm start does them)');
    process.exit(1);
  }

  const connections: Redis[] = [];
  const redisConnection = () => {
    const c = createWorkerConnection(config.redisUrl);
    c.on('error', () => {}); // reconnects by itself; the heartbeat logs the outage once
    connections.push(c);
    return c;
  };
  const redis = redisConnection();
  try {
    await pingRedis(redis, config.redisUrl);
  } catch (err) {
    log.fatal((err as Error).message);
    process.exit(1);
  }

  const ctx: WorkerContext = { config, log, prisma, installationId: installation, redisPrefix, redisConnection };
  const hosts: JobHost[] = await startJobHosts(ctx);
  let state: 'idle' | 'busy' | 'stopping' = 'idle';
  const activeJobs = () => hosts.reduce((n, h) => n + h.activeJobs(), 0);
  const { formats, unavailable } = await hostAbilities(log, config.bootCheck);
  const heartbeat = startHeartbeat(
    redis,
    () => ({
      id: config.workerId,
      hostname: hostname(),
      pid: process.pid,
      version: VERSION,
      startedAt,
      concurrency: config.concurrency,
      activeJobs: activeJobs(),
      state: state === 'stopping' ? 'stopping' : activeJobs() > 0 ? 'busy' : 'idle',
      formats,
      unavailable,
    }),
    { prefix: redisPrefix, log },
  );
  log.info(
    { installation, redisPrefix, concurrency: config.concurrency, queues: hosts.map((h) => h.name), database: redactUrl(config.databaseUrl) },
    'worker ready',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn(`second ${signal}: exiting now`);
      process.exit(1);
    }
    stopping = true;
    state = 'stopping';
    log.info({ activeJobs: activeJobs() }, `${signal}: stopping (running jobs may finish)`);
    await heartbeat.beat();
    const grace = setTimeout(() => {
      log.warn('shutdown grace period over: exiting with jobs still running (they will be retried)');
      process.exit(1);
    }, config.shutdownGraceMs);
    grace.unref();
    await Promise.allSettled(hosts.map((h) => h.close()));
    await heartbeat.stop();
    await Promise.allSettled(connections.map((c) => c.quit()));
    await prisma.$disconnect().catch(() => {});
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * The output formats this host can write and what it cannot do (its tools checked once at
 * start), advertised in the heartbeat so the composer offers what some live worker can build and
 * `npm start` can say what to install. One warning line per missing tool, not one long line.
 */
async function hostAbilities(log: Logger, bootCheck: boolean): Promise<{ formats?: string[]; unavailable?: string[] }> {
  const all = listFormats().map((n) => getFormat(n)!);
  const unavailable = describeMissing(missingTools(all));
  const formats = availableFormats(all).map((f) => f.name);
  // Without QEMU every boot is `not checked` (the build still succeeds).
  if (bootCheck && !qemuAvailable()) unavailable.push('the boot check needs qemu-system-x86_64 (apt-get install qemu-system-x86)');
  for (const line of unavailable) log.warn(`cannot here: ${line}`);
  return { formats, unavailable };
}
