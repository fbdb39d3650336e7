// The web app's settings: read from the environment here and nowhere else, validated with zod,
// with defaults that make `npm start` work on a fresh clone. Every setting is in .env.example.
import path from 'node:path';
import { z } from 'zod';
import { operatorRegistries } from '@oscompose/engine';

export const WebEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: z.string().min(1).default('file:./data/oscompose.db'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
  // Prefix of every Redis key and channel; unset: derived from the installation's database.
  OSCOMPOSE_REDIS_PREFIX: z.string().min(1).optional(),
  /** Older name of OSCOMPOSE_REDIS_PREFIX, still read. */
  REDIS_PREFIX: z.string().min(1).optional(),
  OSCOMPOSE_DATA_DIR: z.string().min(1).default('data'),
  // The worker's image store and engine cache: the build plan reads them (same defaults as the worker).
  OSCOMPOSE_IMAGE_STORE: z.string().min(1).optional(),
  OSCOMPOSE_CACHE: z.string().min(1).optional(),
  // Registry policy (docs/security.md): the instance's own registry and the hosts specs may name.
  OSCOMPOSE_REGISTRY: z.string().min(1).default('localhost:5000'),
  OSCOMPOSE_ALLOWED_REGISTRIES: z.string().min(1).optional(),
  /** Secret for sessions and encrypted registry credentials. Required in production. */
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters (openssl rand -hex 32)').optional(),
});

export interface WebConfig {
  env: 'development' | 'production' | 'test';
  logLevel: z.infer<typeof WebEnv>['LOG_LEVEL'];
  port: number;
  /** The URL users reach the app at (links in e-mails, CLI login). */
  publicUrl: string;
  databaseUrl: string;
  redisUrl: string;
  /** OSCOMPOSE_REDIS_PREFIX when set; otherwise installationRedisPrefix derives one from the database. */
  redisPrefix: string | undefined;
  /** Absolute. */
  dataDir: string;
  /** Absolute: the OCI image store the worker builds from (data/images). */
  imageStore: string;
  /** Absolute: the engine's blob + section cache the worker uses (data/cache). */
  cacheDir: string;
  authSecret: string;
  /** The instance's own registry address (OSCOMPOSE_REGISTRY), e.g. localhost:5000. */
  registry: string;
  /** The operator's allowed registries (OSCOMPOSE_ALLOWED_REGISTRIES + the own registry). */
  allowedRegistries: string[];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

// Only for development and tests, so a fresh clone signs in without setup.
const DEV_AUTH_SECRET = 'oscompose-development-secret-do-not-use-in-production';

/** Parses the environment; throws ConfigError listing every bad variable and what it expects. */
export function loadWebConfig(env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): WebConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = WebEnv.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid web configuration (fix .env or the environment):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.AUTH_SECRET && env.OSCOMPOSE_ALLOW_DEV_SECRET !== '1') {
    throw new ConfigError('AUTH_SECRET must be set in production (openssl rand -hex 32).');
  }
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.OSCOMPOSE_REDIS_PREFIX ?? e.REDIS_PREFIX,
    dataDir: path.resolve(cwd, e.OSCOMPOSE_DATA_DIR),
    imageStore: path.resolve(cwd, e.OSCOMPOSE_IMAGE_STORE ?? path.join(e.OSCOMPOSE_DATA_DIR, 'images')),
    cacheDir: path.resolve(cwd, e.OSCOMPOSE_CACHE ?? path.join(e.OSCOMPOSE_DATA_DIR, 'cache')),
    authSecret: e.AUTH_SECRET ?? DEV_AUTH_SECRET,
    registry: e.OSCOMPOSE_REGISTRY,
    allowedRegistries: allowedRegistries(e.OSCOMPOSE_ALLOWED_REGISTRIES, e.OSCOMPOSE_REGISTRY),
  };
}

let cached: WebConfig | undefined;

/** The process's config, parsed once. */
export function webConfig(): WebConfig {
  cached ??= loadWebConfig();
  return cached;
}

function allowedRegistries(setting: string | undefined, own: string): string[] {
  try {
    return operatorRegistries(setting, own);
  } catch (err) {
    throw new ConfigError(`Invalid web configuration (fix .env or the environment):\n  OSCOMPOSE_ALLOWED_REGISTRIES: ${(err as Error).message}`);
  }
}
