// The worker's settings: the shared server settings (@oscompose/db BaseEnv) plus the worker's own,
// read from the environment here and nowhere else in the worker, validated with zod, with
// defaults that make `npm start` work on a fresh clone. Every setting is in .env.example.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { BaseEnv, ConfigError, baseConfig, configError, parseEnv, registryAuthEnv, type BaseConfig } from '@oscompose/db';
import { operatorRegistries } from '@oscompose/engine';

export { ConfigError };

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const BYTE_UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** A byte count: 4294967296, or with a binary unit: 512M, 4G, 4GiB, 1T. */
const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*([kmgt](i?b)?)?$/i, 'a byte count such as 4294967296, 512M or 4G')
  .transform((v) => {
    const m = /^([\d.]+)\s*([kmgt])?/i.exec(v)!;
    return Math.floor(Number(m[1]) * BYTE_UNITS[(m[2] ?? '').toLowerCase()]!);
  })
  .pipe(z.number().int().min(1));

export const WorkerEnv = BaseEnv.extend({
  WORKER_ID: z.string().min(1).optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).default(60),
  WORKER_BOOT_CHECK: bool.default(true),
  // Build pipeline: how soon a dead worker's build is picked up again (lock expiry + stall check).
  WORKER_LOCK_SECONDS: z.coerce.number().int().min(2).default(30),
  WORKER_STALLED_CHECK_SECONDS: z.coerce.number().int().min(1).default(15),
  WORKER_MAX_STALLED: z.coerce.number().int().min(0).default(3),
  WORKER_BOOT_TIMEOUT_SECONDS: z.coerce.number().int().min(5).default(120),
  // Downloaded Debian packages for the starter catalog (the seed).
  OSCOMPOSE_DEBIAN_CACHE: z.string().min(1).optional(),
  // Artifact retention: 0 days = keep everything (the default).
  OSCOMPOSE_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  OSCOMPOSE_RETENTION_KEEP_LAST: z.coerce.number().int().min(0).default(20),
  // Build limits (docs/security.md, "Limits"): what one build may take of this machine.
  OSCOMPOSE_BUILD_MAX_SECONDS: z.coerce.number().int().min(1).default(3600),
  OSCOMPOSE_BUILD_MAX_UNPACKED_BYTES: bytes.default(16 * 2 ** 30),
  OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES: bytes.default(4 * 2 ** 30),
  OSCOMPOSE_IMAGE_MAX_ENTRIES: z.coerce.number().int().min(1).default(1_000_000),
  OSCOMPOSE_BUILD_MAX_ARTIFACT_BYTES: bytes.default(16 * 2 ** 30),
  // Builds of one team running at once across all workers; 0 = no limit.
  OSCOMPOSE_TEAM_CONCURRENCY: z.coerce.number().int().min(0).default(2),
  // The engine's reproducibility and cache switches, read here and passed to it as options.
  SOURCE_DATE_EPOCH: z.coerce.number().int().min(0).default(0),
  OSCOMPOSE_NO_SECTION_CACHE: bool.default(false),
  // Testdrives (docs/testdrive.md): VMs this worker runs at once (0 = none), and what one may take.
  WORKER_TESTDRIVES: z.coerce.number().int().min(0).max(64).default(2),
  OSCOMPOSE_TESTDRIVE_MAX_MEMORY_MB: z.coerce.number().int().min(64).default(1024),
  OSCOMPOSE_TESTDRIVE_MAX_CPUS: z.coerce.number().int().min(1).default(2),
});

export interface WorkerConfig extends BaseConfig {
  workerId: string;
  concurrency: number;
  shutdownGraceMs: number;
  bootCheck: boolean;
  /** Build pipeline settings (apps/worker/src/jobs). */
  lockMs: number;
  stalledCheckMs: number;
  maxStalled: number;
  bootTimeoutMs: number;
  /** Absolute: downloaded Debian packages for the starter catalog (data/debian). */
  debianCache: string;
  /** Artifact retention (0 days: off). */
  retention: { keepDays: number; keepLast: number };
  /** The operator's allowed registries (OSCOMPOSE_ALLOWED_REGISTRIES + OSCOMPOSE_REGISTRY). */
  allowedRegistries: string[];
  /** The operator's OSCOMPOSE_REGISTRY_AUTH_<HOST> credentials, as the engine looks them up. */
  registryAuth: Record<string, string>;
  /** What one build may take (each has its OSCOMPOSE_* setting; see build/limits.ts). */
  limits: BuildLimitSettings;
  /** Builds of one team running at once across all workers (0: no limit). */
  teamConcurrency: number;
  /** Every timestamp the engine writes (SOURCE_DATE_EPOCH, default 0). */
  sourceDateEpoch: number;
  /** Reuse compressed sections across builds (off with OSCOMPOSE_NO_SECTION_CACHE=1). */
  sectionCache: boolean;
  /** Testdrive VMs at once on this worker (0: takes none) and the caps of one VM. */
  testdrives: { perWorker: number; maxMemoryMb: number; maxCpus: number };
}

export interface BuildLimitSettings {
  buildSeconds: number;
  buildUnpackedBytes: number;
  imageUnpackedBytes: number;
  imageEntries: number;
  artifactBytes: number;
}

/** Parses the environment; throws ConfigError listing every bad variable and what it expects. */
export function loadWorkerConfig(env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): WorkerConfig {
  const e = parseEnv(WorkerEnv, env, 'worker');
  return {
    ...baseConfig(e, 'worker', cwd),
    workerId: e.WORKER_ID ?? `${os.hostname()}-${process.pid}`,
    concurrency: e.WORKER_CONCURRENCY,
    shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_SECONDS * 1000,
    bootCheck: e.WORKER_BOOT_CHECK,
    lockMs: e.WORKER_LOCK_SECONDS * 1000,
    stalledCheckMs: e.WORKER_STALLED_CHECK_SECONDS * 1000,
    maxStalled: e.WORKER_MAX_STALLED,
    bootTimeoutMs: e.WORKER_BOOT_TIMEOUT_SECONDS * 1000,
    debianCache: path.resolve(cwd, e.OSCOMPOSE_DEBIAN_CACHE ?? path.join(e.OSCOMPOSE_DATA_DIR, 'debian')),
    retention: { keepDays: e.OSCOMPOSE_RETENTION_DAYS, keepLast: e.OSCOMPOSE_RETENTION_KEEP_LAST },
    allowedRegistries: allowedRegistries(e.OSCOMPOSE_ALLOWED_REGISTRIES, e.OSCOMPOSE_REGISTRY),
    registryAuth: registryAuthEnv(env),
    limits: {
      buildSeconds: e.OSCOMPOSE_BUILD_MAX_SECONDS,
      buildUnpackedBytes: e.OSCOMPOSE_BUILD_MAX_UNPACKED_BYTES,
      imageUnpackedBytes: e.OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES,
      imageEntries: e.OSCOMPOSE_IMAGE_MAX_ENTRIES,
      artifactBytes: e.OSCOMPOSE_BUILD_MAX_ARTIFACT_BYTES,
    },
    teamConcurrency: e.OSCOMPOSE_TEAM_CONCURRENCY,
    sourceDateEpoch: e.SOURCE_DATE_EPOCH,
    sectionCache: !e.OSCOMPOSE_NO_SECTION_CACHE,
    testdrives: { perWorker: e.WORKER_TESTDRIVES, maxMemoryMb: e.OSCOMPOSE_TESTDRIVE_MAX_MEMORY_MB, maxCpus: e.OSCOMPOSE_TESTDRIVE_MAX_CPUS },
  };
}

function allowedRegistries(setting: string | undefined, own: string): string[] {
  try {
    return operatorRegistries(setting, own);
  } catch (err) {
    throw configError('worker', [`OSCOMPOSE_ALLOWED_REGISTRIES: ${(err as Error).message}`]);
  }
}
