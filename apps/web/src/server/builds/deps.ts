// The build services' connections: the web app's one Prisma client (../db), its one fail-fast
// producer connection and the build queue on it (../redis), a factory for subscriber connections
// (a subscribed connection can do nothing else) and the artifact store. Tests replace them with
// setBuildDeps.

import type { PrismaClient } from '@oscompose/db';
import { createProducerConnection, type BuildJobData } from '@oscompose/queue';
import { createArtifactStore, type ArtifactStore } from '@oscompose/storage';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { webConfig } from '../config';
import { db } from '../db';
import { buildQueue, redis } from '../redis';

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
    const config = webConfig();
    holder.__oscomposeBuildDeps = {
      db: db(),
      queue: buildQueue(),
      redis: redis(),
      subscriber: () => {
        const s = createProducerConnection(config.redisUrl, { maxRetriesPerRequest: null });
        s.on('error', () => {});
        return s;
      },
      store: createArtifactStore(config.artifactStore),
    };
  }
  return holder.__oscomposeBuildDeps;
}
