// Stopping and extending. The row is the truth (the worker reads it every second); the control
// on the input stream only makes the worker look at once.

import { testdriveState } from '@oscompose/db';
import { sendTestdriveInput } from '@oscompose/queue';
import type { Caller } from '../auth/caller';
import { recordAudit } from '../auth/audit';
import { webConfig } from '../config';
import { ConflictError } from '../errors';
import { testdriveDeps } from './deps';
import { findTeamTestdrive, getTestdrive } from './getTestdrive';

/** Idempotent: an ended testdrive is answered as it is. */
export async function stopTestdrive(caller: Caller, id: string) {
  const { db, redis, redisPrefix, testdriveQueue } = await testdriveDeps();
  await findTeamTestdrive(caller, id);
  if (await testdriveState.stop(db, id, 'user')) {
    await testdriveQueue.remove(id).catch(() => 0); // still waiting: no worker will take it
    await sendTestdriveInput(redis, redisPrefix, id, { control: 'stop' }).catch(() => {});
    await recordAudit(db, { teamId: caller.teamId, actorId: caller.userId, action: 'testdrive.stop', target: id }).catch(() => {});
  }
  return getTestdrive(caller, id);
}

export async function extendTestdrive(caller: Caller, id: string, minutes?: number) {
  const { db, redis, redisPrefix } = await testdriveDeps();
  const settings = webConfig().testdrive;
  await findTeamTestdrive(caller, id);
  const expiresAt = await testdriveState.extend(db, id, (minutes ?? settings.minutes) * 60, settings.maxMinutes * 60);
  if (!expiresAt) throw new ConflictError(`Testdrive ${id} is not running; only a running testdrive can be extended.`, 'testdrive_not_running');
  await sendTestdriveInput(redis, redisPrefix, id, { control: 'extend' }).catch(() => {});
  return getTestdrive(caller, id);
}
