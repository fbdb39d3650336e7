// The one writer of a testdrive's status. Each move is a conditional write whose `where` holds
// the statuses it is allowed from (status.ts), so a user's stop and a worker's "guest exited"
// racing on one row cannot both win. The worker's writes are fenced by its run id (workerId):
// a run that lost the row (stopped by the user, failed as an orphan) changes nothing.

import type { PrismaClient } from '../client';
import { testdriveStatusesBefore, type TestdriveEndReason } from './status';

export type TestdriveWriter = Pick<PrismaClient, 'testdrive'>;

type CreateData = Parameters<PrismaClient['testdrive']['create']>[0]['data'];

const changed = async (p: Promise<{ count: number }>) => (await p).count > 0;
const movable = (id: string, to: 'running' | 'stopped' | 'failed') => ({ id, status: { in: testdriveStatusesBefore(to) } });

export const testdriveState = {
  /** A new testdrive, waiting for a worker. */
  create(db: TestdriveWriter, data: Omit<CreateData, 'status' | 'workerId' | 'startedAt' | 'expiresAt' | 'endedAt' | 'endReason'>) {
    return db.testdrive.create({ data: { ...data, status: 'queued' } as CreateData });
  },

  /**
   * A worker run takes a queued testdrive: running from now until now + its time limit. False
   * when it was stopped (or taken) before: the run starts no VM.
   */
  async claim(db: TestdriveWriter, id: string, runId: string, now = new Date()): Promise<boolean> {
    const row = await db.testdrive.findUnique({ where: { id }, select: { limitSeconds: true } });
    if (!row) return false;
    return changed(
      db.testdrive.updateMany({
        where: { id, status: 'queued' },
        data: { status: 'running', workerId: runId, startedAt: now, expiresAt: new Date(now.getTime() + row.limitSeconds * 1000) },
      }),
    );
  },

  /** The owning run records the forwarded ports once QEMU listens on them. */
  recordForwards(db: TestdriveWriter, id: string, runId: string, forwards: Array<{ guest: number; host: number; machine?: string }>): Promise<boolean> {
    return changed(db.testdrive.updateMany({ where: { id, workerId: runId, status: 'running' }, data: { forwards: JSON.stringify(forwards) } }));
  },

  /**
   * More time for a running testdrive: expiresAt moves `seconds` later, but never past
   * `maxTotalSeconds` after the start. Returns the new expiry, or null when it is not running.
   */
  async extend(db: TestdriveWriter, id: string, seconds: number, maxTotalSeconds?: number): Promise<Date | null> {
    for (let tries = 0; tries < 5; tries++) {
      const row = await db.testdrive.findUnique({ where: { id }, select: { status: true, expiresAt: true, startedAt: true } });
      if (!row || row.status !== 'running' || !row.expiresAt || !row.startedAt) return null;
      let next = row.expiresAt.getTime() + seconds * 1000;
      if (maxTotalSeconds !== undefined) next = Math.min(next, row.startedAt.getTime() + maxTotalSeconds * 1000);
      const expiresAt = new Date(Math.max(next, row.expiresAt.getTime()));
      // Compare-and-set on the expiry read above: two extends at once both count.
      if (await changed(db.testdrive.updateMany({ where: { id, status: 'running', expiresAt: row.expiresAt }, data: { expiresAt } }))) return expiresAt;
    }
    return null;
  },

  /** Anyone allowed (the user, an admin) stops a queued or running testdrive. False when it had already ended. */
  stop(db: TestdriveWriter, id: string, reason: TestdriveEndReason = 'user'): Promise<boolean> {
    return changed(db.testdrive.updateMany({ where: movable(id, 'stopped'), data: { status: 'stopped', endedAt: new Date(), endReason: reason } }));
  },

  /** The owning run ends the testdrive (time up, no viewer, shutdown, the guest exited, QEMU failed). */
  endOwned(db: TestdriveWriter, id: string, runId: string, to: 'stopped' | 'failed', fields: { endReason: TestdriveEndReason; error?: string }): Promise<boolean> {
    return changed(db.testdrive.updateMany({ where: { id, workerId: runId, status: 'running' }, data: { status: to, endedAt: new Date(), ...fields } }));
  },

  /** A testdrive no live run holds (it could not start, its worker died): failed unless it ended. */
  fail(db: TestdriveWriter, id: string, error: string): Promise<boolean> {
    return changed(db.testdrive.updateMany({ where: movable(id, 'failed'), data: { status: 'failed', endedAt: new Date(), endReason: 'error', error } }));
  },

  /** After the VM is gone, whatever ended it, the run that ran it keeps its console transcript. */
  recordTranscript(db: TestdriveWriter, id: string, runId: string, transcriptKey: string): Promise<boolean> {
    return changed(db.testdrive.updateMany({ where: { id, workerId: runId, status: { in: ['stopped', 'failed'] } }, data: { transcriptKey } }));
  },
};
