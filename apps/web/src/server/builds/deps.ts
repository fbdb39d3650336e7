// The build services' connections, one per process (kept on globalThis so Next.js dev reloads do
// not open new ones): the queue producer (fails fast), a publisher and a shared subscriber for
// build event channels, and the artifact store. Tests replace them with setBuildDeps.

import { findRepoRoot, prisma, type PrismaClient } from '@oscompose/db';
import { DEFAULT_REDIS_PREFIX, createBuildQueue, createProducerConnection, type BuildJobData } from '@oscompose/queue';
import { createArtifactStore, type ArtifactStore } from '@oscompose/storage';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface BuildDeps {
  db: PrismaClient;
  queue: Queue<BuildJobData>;
  /** Normal connection: PUBLISH (cancel requests, web-side status events). */
  redis: Redis;
  /** Factory for the subscriber connection (a subscribed connection can do nothing else). */
  subscriber: () => Redis;
  store: ArtifactStore;
  /** The signing keys' directory (default DATA_DIR/keys); tests point it at their data dir. */
  keyDir?: string;
}

const holder = globalThis as unknown as { __oscomposeBuildDeps?: BuildDeps };

export function setBuildDeps(deps: BuildDeps | undefined): void {
  holder.__oscomposeBuildDeps = deps;
}

export function buildDeps(): BuildDeps {
  if (!holder.__oscomposeBuildDeps) {
    const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
    const prefix = process.env.REDIS_PREFIX || DEFAULT_REDIS_PREFIX;
    const redis = createProducerConnection(url);
    redis.on('error', () => {}); // requests fail fast with a clear message instead
    holder.__oscomposeBuildDeps = {
      db: prisma,
      queue: createBuildQueue(createProducerConnection(url), { prefix }),
      redis,
      subscriber: () => {
        const s = createProducerConnection(url, { maxRetriesPerRequest: null });
        s.on('error', () => {});
        return s;
      },
      store: createArtifactStore(process.env, { root: findRepoRoot() }),
    };
  }
  return holder.__oscomposeBuildDeps;
}
