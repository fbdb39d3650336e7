// Pinning: a pinned build keeps its artifacts whatever the retention policy says.

import type { Caller } from '../auth/caller';
import { recordAudit } from '../auth/audit';
import { buildDeps } from './deps';
import { findTeamBuild } from './getBuild';

export async function pinBuild(caller: Caller, id: string, pinned: boolean) {
  const { db } = await buildDeps();
  await findTeamBuild(caller, id);
  await db.build.update({ where: { id }, data: { pinned } });
  await recordAudit(db, { teamId: caller.teamId, actorId: caller.userId, action: pinned ? 'build.pin' : 'build.unpin', target: id }).catch(() => {});
  return { id, pinned };
}
