// The settings both server processes (web, worker) share: database, Redis, data dir, image store,
// engine cache, artifact store and registry policy, parsed from the environment with zod. Each
// process's own config module (apps/web/src/server/config.ts, apps/worker/src/config.ts) extends
// BaseEnv with its settings and is the only reader of process.env in that process.
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_DATABASE_URL, findRepoRoot } from './url';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const BaseEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
  // Prefix of every Redis key and channel; unset: derived from the installation's database
  // (installationRedisPrefix), so installations sharing a Redis stay apart.
  OSCOMPOSE_REDIS_PREFIX: z.string().min(1).optional(),
  /** Older name of OSCOMPOSE_REDIS_PREFIX, still read. */
  REDIS_PREFIX: z.string().min(1).optional(),
  OSCOMPOSE_DATA_DIR: z.string().min(1).default('data'),
  // The OCI image store the starter catalog writes and builds read, and the engine's cache.
  OSCOMPOSE_IMAGE_STORE: z.string().min(1).optional(),
  OSCOMPOSE_CACHE: z.string().min(1).optional(),
  // Registry policy (docs/security.md): the instance's own registry and the hosts specs may name.
  OSCOMPOSE_REGISTRY: z.string().min(1).default('localhost:5000'),
  OSCOMPOSE_ALLOWED_REGISTRIES: z.string().min(1).optional(),
  // The artifact store: a local directory, or S3-compatible for several worker machines.
  OSCOMPOSE_ARTIFACT_STORE: z.enum(['local', 's3']).default('local'),
  OSCOMPOSE_ARTIFACT_DIR: z.string().min(1).optional(),
  OSCOMPOSE_S3_ENDPOINT: z.string().url().optional(),
  OSCOMPOSE_S3_REGION: z.string().min(1).default('us-east-1'),
  OSCOMPOSE_S3_BUCKET: z.string().min(1).optional(),
  OSCOMPOSE_S3_PREFIX: z.string().min(1).optional(),
  OSCOMPOSE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  OSCOMPOSE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  OSCOMPOSE_S3_PATH_STYLE: z.enum(['true', 'false']).default('true'),
});
export type BaseEnv = z.infer<typeof BaseEnv>;

/** Where artifacts are published (the shape @oscompose/storage's createArtifactStore takes). */
export type ArtifactStoreSettings =
  | { kind: 'local'; dir: string }
  | {
      kind: 's3';
      endpoint: string;
      region: string;
      bucket: string;
      prefix?: string;
      forcePathStyle: boolean;
      credentials: { accessKeyId: string; secretAccessKey: string };
    };

export interface BaseConfig {
  env: BaseEnv['NODE_ENV'];
  logLevel: BaseEnv['LOG_LEVEL'];
  databaseUrl: string;
  redisUrl: string;
  /** OSCOMPOSE_REDIS_PREFIX when set; otherwise installationRedisPrefix derives one from the database. */
  redisPrefix: string | undefined;
  /** Absolute. */
  dataDir: string;
  /** Absolute: the OCI image store (data/images). */
  imageStore: string;
  /** Absolute: the engine's blob + section cache (data/cache). */
  cacheDir: string;
  /** The instance's own registry address (OSCOMPOSE_REGISTRY), e.g. localhost:5000. */
  registry: string;
  artifactStore: ArtifactStoreSettings;
}

/**
 * Parses `env` with a process's schema (empty strings mean unset: docker-compose passes VAR=
 * through); throws ConfigError naming every bad variable and what it expects.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>, app: string): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) throw configError(app, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return parsed.data;
}

/**
 * The operator's registry credentials, OSCOMPOSE_REGISTRY_AUTH_<HOST>=user:password (one variable
 * per host, so no fixed schema holds them): the environment the engine's registry client looks
 * them up in. The processes hand it over (`registry: { env }`), so the engine reads nothing else
 * of theirs.
 */
export function registryAuthEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((kv): kv is [string, string] => kv[0].startsWith('OSCOMPOSE_REGISTRY_AUTH_') && !!kv[1]));
}

export function configError(app: string, lines: string[]): ConfigError {
  return new ConfigError(`Invalid ${app} configuration (fix .env or the environment):\n${lines.map((l) => `  ${l}`).join('\n')}`);
}

/**
 * The shared settings. Directories are taken from `cwd`; the artifact directory from the
 * repository root (`root`), so the web app and the worker, started in different directories,
 * publish to and serve from the same store.
 */
export function baseConfig(e: BaseEnv, app: string, cwd: string, root: string = findRepoRoot()): BaseConfig {
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.OSCOMPOSE_REDIS_PREFIX ?? e.REDIS_PREFIX,
    dataDir: path.resolve(cwd, e.OSCOMPOSE_DATA_DIR),
    imageStore: path.resolve(cwd, e.OSCOMPOSE_IMAGE_STORE ?? path.join(e.OSCOMPOSE_DATA_DIR, 'images')),
    cacheDir: path.resolve(cwd, e.OSCOMPOSE_CACHE ?? path.join(e.OSCOMPOSE_DATA_DIR, 'cache')),
    registry: e.OSCOMPOSE_REGISTRY,
    artifactStore: artifactStoreSettings(e, app, root),
  };
}

function artifactStoreSettings(e: BaseEnv, app: string, root: string): ArtifactStoreSettings {
  if (e.OSCOMPOSE_ARTIFACT_STORE === 'local') {
    return { kind: 'local', dir: path.resolve(root, e.OSCOMPOSE_ARTIFACT_DIR ?? path.join(e.OSCOMPOSE_DATA_DIR, 'artifacts')) };
  }
  const missing = (['OSCOMPOSE_S3_ENDPOINT', 'OSCOMPOSE_S3_BUCKET', 'OSCOMPOSE_S3_ACCESS_KEY_ID', 'OSCOMPOSE_S3_SECRET_ACCESS_KEY'] as const).filter((k) => !e[k]);
  if (missing.length) throw configError(app, [`OSCOMPOSE_ARTIFACT_STORE=s3 needs ${missing.join(', ')} (see .env.example).`]);
  return {
    kind: 's3',
    endpoint: e.OSCOMPOSE_S3_ENDPOINT!,
    region: e.OSCOMPOSE_S3_REGION,
    bucket: e.OSCOMPOSE_S3_BUCKET!,
    prefix: e.OSCOMPOSE_S3_PREFIX,
    forcePathStyle: e.OSCOMPOSE_S3_PATH_STYLE === 'true',
    credentials: { accessKeyId: e.OSCOMPOSE_S3_ACCESS_KEY_ID!, secretAccessKey: e.OSCOMPOSE_S3_SECRET_ACCESS_KEY! },
  };
}
