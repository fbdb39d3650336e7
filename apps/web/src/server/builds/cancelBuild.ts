// Canceling: the database says canceled at once (so the worker can no longer finish or publish
// it), the job leaves the queue if it has not started, and running workers hear it on the
// cancel channel and abort the engine.

import { buildState, isFinalStatus } from '@oscompose/db';
import { requestCancel } from '@oscompose/queue';
import type { Caller } from '../auth/caller';
import { ConflictError } from '../errors';
import { buildDeps } from './deps';
import { appendStatusEvent } from './statusEvent';
import { findTeamBuild } from './getBuild';
import { recordAudit } from '../auth/audit';

export async function cancelBuild(caller: Caller, id: string) {
  const { db, queue, redis, redisPrefix } = await buildDeps();
  const build = await findTeamBuild(caller, id);
  if (isFinalStatus(build.status)) {
    throw new ConflictError(`Build ${id} already ${build.status}; only queued or running builds can be canceled.`, 'already_finished');
  }
  if (!(await buildState.cancel(db, id))) throw new ConflictError(`Build ${id} finished while canceling.`, 'already_finished');
  // A waiting job is removed; an active one is locked (remove fails) and stops on the signal.
  await queue.remove(id).catch(() => 0);
  await requestCancel(redis, redisPrefix, id).catch(() => {});
  await appendStatusEvent(id, { status: 'canceled' });
  await recordAudit(db, { teamId: caller.teamId, actorId: caller.userId, action: 'build.cancel', target: id }).catch(() => {});
  return { id, status: 'canceled' };
}
