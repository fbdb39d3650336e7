// The build services' connections: the web app's one Prisma client (../db), its one fail-fast
// producer connection (../redis) and the build queue on it, a factory for subscriber connections
// (a subscribed connection can do nothing else; event streams share one, ./channels.ts) and the artifact store, all under the
// installation's Redis prefix (../installation). Tests replace them with setBuildDeps.

import type { PrismaClient } from '@oscompose/db';
import { createBuildQueue, createProducerConnection, type BuildJobData } from '@oscompose/queue';
import { createArtifactStore, type ArtifactStore } from '@oscompose/storage';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { webConfig } from '../config';
import { db } from '../db';
import { installation } from '../installation';
import { redis } from '../redis';

export interface BuildDeps {
  db: PrismaClient;
  /** The installation whose database `db` is (job payloads name it) and its Redis prefix. */
  installationId: string;
  redisPrefix: string;
  queue: Queue<BuildJobData>;
  /** Normal connection: PUBLISH (cancel requests, web-side status events). */
  redis: Redis;
  /** Factory for the subscriber connection (a subscribed connection can do nothing else); build event streams share one per factory (./channels). */
  subscriber: () => Redis;
  store: ArtifactStore;
  /** The signing keys' directory (default DATA_DIR/keys); tests point it at their data dir. */
  keyDir?: string;
}

const holder = globalThis as unknown as { __oscomposeBuildDeps?: BuildDeps | Promise<BuildDeps> };

export function setBuildDeps(deps: BuildDeps | undefined): void {
  holder.__oscomposeBuildDeps = deps;
}

export async function buildDeps(): Promise<BuildDeps> {
  if (!holder.__oscomposeBuildDeps) {
    const pending = createDeps();
    // A failure (database not up yet) is not remembered: the next request tries again.
    pending.catch(() => {
      if (holder.__oscomposeBuildDeps === pending) holder.__oscomposeBuildDeps = undefined;
    });
    holder.__oscomposeBuildDeps = pending;
  }
  return holder.__oscomposeBuildDeps;
}

async function createDeps(): Promise<BuildDeps> {
  const config = webConfig();
  const { id, redisPrefix } = await installation();
  return {
    db: db(),
    installationId: id,
    redisPrefix,
    queue: createBuildQueue(redis(), { prefix: redisPrefix }),
    redis: redis(),
    subscriber: () => {
      const s = createProducerConnection(config.redisUrl, { maxRetriesPerRequest: null });
      s.on('error', () => {});
      return s;
    },
    store: createArtifactStore(config.artifactStore),
  };
}
