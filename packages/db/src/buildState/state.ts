// The one writer of a build's status. Every move goes through here, as a conditional write whose
// `where` holds the statuses the move is allowed from (status.ts), so two processes racing on
// one build (a cancel and a finishing worker, two workers after a lock expired) cannot both win.
// Writes made by a run are fenced: they apply only while that run still owns the build (status
// running and workerId = its run id), so a canceled or taken-over build is never overwritten.

import type { PrismaClient } from '../client';
import { statusesBefore, type BuildStatus } from './status';

/** The database or an open transaction: either can write a build. */
export type BuildWriter = Pick<PrismaClient, 'build'>;

type CreateData = Parameters<PrismaClient['build']['create']>[0]['data'];
type UpdateData = Parameters<PrismaClient['build']['updateMany']>[0]['data'];
/** Columns a status write may set besides the status and the owner. */
export type BuildFields = Omit<UpdateData, 'status' | 'workerId'>;

/** The build was canceled or taken by another run while this one worked: stop quietly. */
export class LostOwnershipError extends Error {
  constructor(buildId: string) {
    super(`Build ${buildId} is no longer owned by this run (canceled or taken over).`);
    this.name = 'LostOwnershipError';
  }
}

const owner = (id: string, runId: string) => ({ id, workerId: runId, status: 'running' });
const movable = (id: string, to: BuildStatus) => ({ id, status: { in: statusesBefore(to) } });

async function changed(p: Promise<{ count: number }>): Promise<boolean> {
  return (await p).count > 0;
}

export const buildState = {
  /** A new build, waiting for a worker. */
  create(db: BuildWriter, data: Omit<CreateData, 'status' | 'workerId'>) {
    return db.build.create({ data: { ...data, status: 'queued' } as CreateData });
  },

  /** The user cancels: any queued or running build. False when it had already finished. */
  cancel(db: BuildWriter, id: string, error = 'Canceled by the user.'): Promise<boolean> {
    return changed(db.build.updateMany({ where: movable(id, 'canceled'), data: { status: 'canceled', finishedAt: new Date(), error } }));
  },

  /**
   * A run claims the build (a re-delivered job takes a running one over). False when it is
   * final or canceled: the run leaves it alone.
   */
  claim(db: BuildWriter, id: string, runId: string, fields: { startedAt: Date }): Promise<boolean> {
    return changed(
      db.build.updateMany({
        where: movable(id, 'running'),
        data: { status: 'running', workerId: runId, startedAt: fields.startedAt, attempts: { increment: 1 }, error: null },
      }),
    );
  },

  /** The owning run records something (resolved spec, cache key) without changing the status. */
  async record(db: BuildWriter, id: string, runId: string, fields: BuildFields): Promise<void> {
    if (!(await changed(db.build.updateMany({ where: owner(id, runId), data: fields })))) throw new LostOwnershipError(id);
  },

  /**
   * The owning run moves the build: to a final status, or back to `queued` (a retry, a shutdown
   * handing the job back). False when the run no longer owns it.
   */
  moveOwned(db: BuildWriter, id: string, runId: string, to: Exclude<BuildStatus, 'running'>, fields: BuildFields = {}): Promise<boolean> {
    const finished = to === 'queued' ? {} : { finishedAt: new Date() };
    return changed(db.build.updateMany({ where: owner(id, runId), data: { ...finished, ...fields, status: to } }));
  },

  /** As moveOwned, but a run that lost the build stops with LostOwnershipError. */
  async finishOwned(db: BuildWriter, id: string, runId: string, to: 'succeeded' | 'failed', fields: BuildFields = {}): Promise<void> {
    if (!(await buildState.moveOwned(db, id, runId, to, fields))) throw new LostOwnershipError(id);
  },

  /**
   * Not owned by any live run (its job died, stalled too often, or was lost): fail it unless it
   * already finished. True when this write failed it.
   */
  failOrphan(db: BuildWriter, id: string, error: string, finishedAt = new Date()): Promise<boolean> {
    return changed(db.build.updateMany({ where: movable(id, 'failed'), data: { status: 'failed', finishedAt, error } }));
  },

  /** Not owned by any live run and its job is gone: back to the queue unless it finished. */
  requeueOrphan(db: BuildWriter, id: string): Promise<boolean> {
    return changed(db.build.updateMany({ where: movable(id, 'queued'), data: { status: 'queued' } }));
  },
};
