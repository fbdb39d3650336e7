// The health report behind GET /api/health: database, Redis, live workers, and warnings (a
// process `npm start` keeps restarting) that do not make it unhealthy. Pure assembly
// (healthReport) apart from the probes, so the rules are testable.
import { listWorkers, type WorkerHeartbeat } from '@oscompose/queue';
import { webConfig } from './config';
import { db } from './db';
import { installation } from './installation';
import { redis } from './redis';
import { readSupervisorStatus, supervisorWarnings } from './supervision';

export type Up = 'up' | 'down';

export interface HealthReport {
  status: 'ok' | 'down';
  database: Up;
  redis: Up;
  workers: WorkerHeartbeat[];
  /** What is wrong and what to do, one line each. */
  problems: string[];
  /** What is wrong but still serving (a worker that keeps crashing), one line each: the UI banner. */
  warnings: string[];
}

export interface Probes {
  database: () => Promise<void>;
  redis: () => Promise<void>;
  workers: () => Promise<WorkerHeartbeat[]>;
  /** Warnings from npm start's supervisor; absent: none. */
  warnings?: () => Promise<string[]>;
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms))]);

/** Runs the probes (each bounded) and says whether everything is up. */
export async function healthReport(probes: Probes, timeoutMs = 3000): Promise<HealthReport> {
  const problems: string[] = [];
  const [dbResult, redisResult] = await Promise.allSettled([
    withTimeout(probes.database(), timeoutMs, 'database'),
    withTimeout(probes.redis(), timeoutMs, 'redis'),
  ]);
  if (dbResult.status === 'rejected') problems.push(`database: ${message(dbResult.reason)} (check DATABASE_URL)`);
  if (redisResult.status === 'rejected') problems.push(`redis: ${message(redisResult.reason)} (check REDIS_URL)`);
  let workers: WorkerHeartbeat[] = [];
  if (redisResult.status === 'fulfilled') {
    try {
      workers = await withTimeout(probes.workers(), timeoutMs, 'workers');
    } catch (err) {
      problems.push(`workers: ${message(err)}`);
    }
    if (workers.length === 0 && problems.length === 0) {
      problems.push('workers: none is running (start one: npm start, or docker compose up worker)');
    }
  }
  const warnings = probes.warnings ? await withTimeout(probes.warnings(), timeoutMs, 'supervisor status').catch((err) => [`supervisor status: ${message(err)}`]) : [];
  return {
    status: problems.length === 0 ? 'ok' : 'down',
    database: dbResult.status === 'fulfilled' ? 'up' : 'down',
    redis: redisResult.status === 'fulfilled' ? 'up' : 'down',
    workers,
    problems,
    warnings,
  };
}

// Prisma puts the cause on the last line of its message, after the invocation it quotes.
function message(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const lines = err.message.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? err.name;
}

/** The probes against the configured services. */
export function liveProbes(): Probes {
  return {
    database: async () => {
      await db().$queryRawUnsafe('SELECT 1');
    },
    redis: async () => {
      await redis().ping();
    },
    workers: async () => listWorkers(redis(), { prefix: (await installation()).redisPrefix }),
    warnings: async () => supervisorWarnings(await readSupervisorStatus(webConfig().dataDir)),
  };
}
