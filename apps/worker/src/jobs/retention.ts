// The retention sweep: applies planRetention (packages/storage) to the database and the store.
// Rows go first, then objects, so no build lists an artifact whose deletion has begun.

import { isFinalStatus } from '@oscompose/db';
import { planRetention, type ArtifactStore, type RetentionPolicy } from '@oscompose/storage';
import type { Db } from '../build/db';

export async function sweepRetention(db: Db, store: ArtifactStore, policy: RetentionPolicy, now = new Date()) {
  const builds = await db.build.findMany({
    where: { artifacts: { some: {} } },
    select: {
      id: true,
      finishedAt: true,
      pinned: true,
      status: true,
      compositionVersion: { select: { compositionId: true } },
      artifacts: { select: { storageKey: true } },
    },
  });
  const plan = planRetention(
    builds.map((b) => ({
      id: b.id,
      // A build still in flight is never expired (planRetention keeps finishedAt null).
      finishedAt: isFinalStatus(b.status) ? b.finishedAt : null,
      pinned: b.pinned,
      group: b.compositionVersion?.compositionId ?? null,
      keys: b.artifacts.map((a) => a.storageKey),
    })),
    policy,
    now,
  );
  if (plan.expiredBuildIds.length) await db.artifact.deleteMany({ where: { buildId: { in: plan.expiredBuildIds } } });
  await store.delete(plan.deleteKeys);
  return plan;
}
