// The worker's settings: read from the environment here and nowhere else, validated with zod,
// with defaults that make `npm start` work on a fresh clone. Every setting is in .env.example.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { operatorRegistries } from '@oscompose/engine';

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
  // Build pipeline: how soon a dead worker's build is picked up again (lock expiry + stall check).
  WORKER_LOCK_SECONDS: z.coerce.number().int().min(2).default(30),
  WORKER_STALLED_CHECK_SECONDS: z.coerce.number().int().min(1).default(15),
  WORKER_MAX_STALLED: z.coerce.number().int().min(0).default(3),
  WORKER_BOOT_TIMEOUT_SECONDS: z.coerce.number().int().min(5).default(120),
  OSCOMPOSE_IMAGE_STORE: z.string().min(1).optional(),
  OSCOMPOSE_CACHE: z.string().min(1).optional(),
  // Registry policy (docs/security.md): the instance's own registry and the hosts specs may name.
  OSCOMPOSE_REGISTRY: z.string().min(1).default('localhost:5000'),
  OSCOMPOSE_ALLOWED_REGISTRIES: z.string().min(1).optional(),
  // Artifact retention: 0 days = keep everything (the default).
  OSCOMPOSE_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  OSCOMPOSE_RETENTION_KEEP_LAST: z.coerce.number().int().min(0).default(20),
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
  /** Build pipeline settings (apps/worker/src/jobs). */
  lockMs: number;
  stalledCheckMs: number;
  maxStalled: number;
  bootTimeoutMs: number;
  /** Absolute: the OCI image store the starter catalog writes (data/images). */
  imageStore: string;
  /** Absolute: the engine's blob + section cache (data/cache). */
  cacheDir: string;
  /** Artifact retention (0 days: off). */
  retention: { keepDays: number; keepLast: number };
  /** The operator's allowed registries (OSCOMPOSE_ALLOWED_REGISTRIES + OSCOMPOSE_REGISTRY). */
  allowedRegistries: string[];
  /** The instance's own registry (OSCOMPOSE_REGISTRY), where team uploads are named. */
  registry: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError listing every bad variable and what it expects. */
export function loadWorkerConfig(env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): WorkerConfig {
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
    lockMs: e.WORKER_LOCK_SECONDS * 1000,
    stalledCheckMs: e.WORKER_STALLED_CHECK_SECONDS * 1000,
    maxStalled: e.WORKER_MAX_STALLED,
    bootTimeoutMs: e.WORKER_BOOT_TIMEOUT_SECONDS * 1000,
    imageStore: path.resolve(cwd, e.OSCOMPOSE_IMAGE_STORE ?? path.join(e.OSCOMPOSE_DATA_DIR, 'images')),
    cacheDir: path.resolve(cwd, e.OSCOMPOSE_CACHE ?? path.join(e.OSCOMPOSE_DATA_DIR, 'cache')),
    retention: { keepDays: e.OSCOMPOSE_RETENTION_DAYS, keepLast: e.OSCOMPOSE_RETENTION_KEEP_LAST },
    allowedRegistries: allowedRegistries(e.OSCOMPOSE_ALLOWED_REGISTRIES, e.OSCOMPOSE_REGISTRY),
    registry: e.OSCOMPOSE_REGISTRY,
  };
}

function allowedRegistries(setting: string | undefined, own: string): string[] {
  try {
    return operatorRegistries(setting, own);
  } catch (err) {
    throw new ConfigError(`Invalid worker configuration (fix .env or the environment):\n  OSCOMPOSE_ALLOWED_REGISTRIES: ${(err as Error).message}`);
  }
}
