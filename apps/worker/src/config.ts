// The worker's settings: read from the environment here and nowhere else, validated with zod,
// with defaults that make `npm start` work on a fresh clone. Every setting is in .env.example.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const WorkerEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().min(1).default('file:./data/oscompose.db'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().min(1).default('oscompose'),
  OSCOMPOSE_DATA_DIR: z.string().min(1).default('data'),
  WORKER_ID: z.string().min(1).optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).default(60),
  WORKER_BOOT_CHECK: bool.default(true),
});

export interface WorkerConfig {
  env: 'development' | 'production' | 'test';
  logLevel: z.infer<typeof WorkerEnv>['LOG_LEVEL'];
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Absolute. */
  dataDir: string;
  workerId: string;
  concurrency: number;
  shutdownGraceMs: number;
  bootCheck: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError listing every bad variable and what it expects. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): WorkerConfig {
  // Empty strings mean "unset" (docker-compose passes VAR= through).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = WorkerEnv.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid worker configuration (fix .env or the environment):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    dataDir: path.resolve(cwd, e.OSCOMPOSE_DATA_DIR),
    workerId: e.WORKER_ID ?? `${os.hostname()}-${process.pid}`,
    concurrency: e.WORKER_CONCURRENCY,
    shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_SECONDS * 1000,
    bootCheck: e.WORKER_BOOT_CHECK,
  };
}
