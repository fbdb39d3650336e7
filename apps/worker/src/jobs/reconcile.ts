// The safety net between the database and the queue: a build the database says is queued or
// running but that has no live job (the web app died between writing the row and enqueueing, or
// Redis lost its data) is enqueued again; one whose job already failed for good is marked failed.
// Every worker runs it now and then; enqueueing is idempotent (jobId = build id).

import { enqueueBuild, type BuildJobData } from '@oscompose/queue';
import type { Queue } from 'bullmq';
import { ACTIVE_STATUSES, buildState } from '@oscompose/db';
import type { Db } from '../build/db';

export interface ReconcileResult {
  requeued: string[];
  failed: string[];
}

export async function reconcileBuilds(db: Db, queue: Queue<BuildJobData>, opts: { olderThanMs: number; installation?: string; now?: Date; limit?: number }): Promise<ReconcileResult> {
  const now = opts.now ?? new Date();
  const stale = await db.build.findMany({
    where: { status: { in: [...ACTIVE_STATUSES] }, updatedAt: { lt: new Date(now.getTime() - opts.olderThanMs) } },
    select: { id: true, priority: true, status: true },
    orderBy: { queuedAt: 'asc' },
    take: opts.limit ?? 200,
  });
  const out: ReconcileResult = { requeued: [], failed: [] };
  for (const b of stale) {
    const job = await queue.getJob(b.id);
    const state = job ? await job.getState() : 'missing';
    if (state === 'missing' || state === 'unknown') {
      await buildState.requeueOrphan(db, b.id);
      await enqueueBuild(queue, { buildId: b.id, ...(opts.installation ? { installation: opts.installation } : {}) }, { priority: b.priority });
      out.requeued.push(b.id);
    } else if (state === 'failed' || state === 'completed') {
      // The job is over but the row never heard: the worker died between the two writes.
      const reason = state === 'failed' ? job?.failedReason || 'the build job failed' : 'the build job ended without a result';
      if (await buildState.failOrphan(db, b.id, `${reason}; submit it again.`, now)) out.failed.push(b.id);
    }
  }
  return out;
}
