// The build services' connections, one per process (kept on globalThis so Next.js dev reloads do
// not open new ones): the queue producer (fails fast), a publisher and a shared subscriber for
// build event channels, and the artifact store, all under the installation's Redis prefix.
// Tests replace them with setBuildDeps.

import { findRepoRoot, prisma, type PrismaClient } from '@oscompose/db';
import { createBuildQueue, createProducerConnection, type BuildJobData } from '@oscompose/queue';
import { createArtifactStore, type ArtifactStore } from '@oscompose/storage';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { webConfig } from '../config';
import { installation } from '../installation';

export interface BuildDeps {
  db: PrismaClient;
  /** The installation whose database `db` is (job payloads name it) and its Redis prefix. */
  installationId: string;
  redisPrefix: string;
  queue: Queue<BuildJobData>;
  /** Normal connection: PUBLISH (cancel requests, web-side status events). */
  redis: Redis;
  /** Factory for the subscriber connection (a subscribed connection can do nothing else). */
  subscriber: () => Redis;
  store: ArtifactStore;
}

const holder = globalThis as unknown as { __oscomposeBuildDeps?: BuildDeps | Promise<BuildDeps> };

export function setBuildDeps(deps: BuildDeps | undefined): void {
  holder.__oscomposeBuildDeps = deps;
}

export async function buildDeps(): Promise<BuildDeps> {
  if (!holder.__oscomposeBuildDeps) {
    const pending = createDeps();
    pending.catch(() => {
      if (holder.__oscomposeBuildDeps === pending) holder.__oscomposeBuildDeps = undefined;
    });
    holder.__oscomposeBuildDeps = pending;
  }
  return holder.__oscomposeBuildDeps;
}

async function createDeps(): Promise<BuildDeps> {
  const url = webConfig().redisUrl;
  const { id, redisPrefix } = await installation();
  const redis = createProducerConnection(url);
  redis.on('error', () => {}); // requests fail fast with a clear message instead
  return {
    db: prisma,
    installationId: id,
    redisPrefix,
    queue: createBuildQueue(createProducerConnection(url), { prefix: redisPrefix }),
    redis,
    subscriber: () => {
      const s = createProducerConnection(url, { maxRetriesPerRequest: null });
      s.on('error', () => {});
      return s;
    },
    store: createArtifactStore(process.env, { root: findRepoRoot() }),
  };
}
