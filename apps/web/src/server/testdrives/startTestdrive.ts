// Starting a testdrive: the build must be the caller's team's, finished, with a bootable artifact
// of the asked format; the caller may have no other testdrive queued or running. The row is
// written, then the job queued for a worker; the start is in the audit log.

import { ACTIVE_TESTDRIVE_STATUSES, testdriveState } from '@oscompose/db';
import { getFormat } from '@oscompose/engine';
import { enqueueTestdrive } from '@oscompose/queue';
import type { Caller } from '../auth/caller';
import { recordAudit } from '../auth/audit';
import { findTeamBuild } from '../builds/getBuild';
import { webConfig } from '../config';
import { BadRequestError, ConflictError } from '../errors';
import { testdriveDeps } from './deps';
import { presentTestdrive } from './present';

export interface StartTestdriveInput {
  artifact: string;
  ports?: number[];
  minutes?: number;
}

export async function startTestdrive(caller: Caller, buildId: string, input: StartTestdriveInput) {
  const { db, redis, redisPrefix, installationId, testdriveQueue } = await testdriveDeps();
  const settings = webConfig().testdrive;
  const build = await findTeamBuild(caller, buildId);
  if (build.status !== 'succeeded') throw new ConflictError(`Build ${buildId} is ${build.status}; only a succeeded build can be testdriven.`, 'build_not_finished');
  const formats = [...new Set(build.artifacts.map((a) => a.format))];
  const bootable = formats.filter((f) => getFormat(f)?.boot);
  if (!formats.includes(input.artifact) || !bootable.includes(input.artifact)) {
    throw new BadRequestError(
      `Build ${buildId} has no bootable ${input.artifact} artifact; ${bootable.length ? `testdrive one of: ${bootable.join(', ')}` : 'it has no bootable artifact (kernel+initrd, ISO, disk or UKI)'}.`,
      undefined,
      'not_bootable',
    );
  }
  const minutes = Math.min(input.minutes ?? settings.minutes, settings.maxMinutes);
  // One at a time per user: the count and the insert run under a short per-user lock, so two
  // clicks at once cannot both pass the count.
  const lock = `${redisPrefix}:testdrive-start:${caller.userId}`;
  if ((await redis.set(lock, '1', 'PX', 10_000, 'NX')) !== 'OK') throw new ConflictError('A testdrive of yours is being started; wait a moment.', 'testdrive_running');
  try {
    const running = await db.testdrive.findFirst({ where: { userId: caller.userId, status: { in: [...ACTIVE_TESTDRIVE_STATUSES] } }, select: { id: true, buildId: true } });
    if (running) {
      throw new ConflictError(`You already have a testdrive running (${running.id}, build ${running.buildId}); stop it before starting another.`, 'testdrive_running');
    }
    const t = await testdriveState.create(db, {
      buildId,
      userId: caller.userId,
      format: input.artifact,
      ports: JSON.stringify([...new Set(input.ports ?? [])]),
      memoryMb: settings.memoryMb,
      cpus: settings.cpus,
      limitSeconds: minutes * 60,
    });
    try {
      await enqueueTestdrive(testdriveQueue, { testdriveId: t.id, installation: installationId });
    } catch (err) {
      await testdriveState.fail(db, t.id, `Could not queue the testdrive: ${(err as Error).message}`);
      throw err;
    }
    await recordAudit(db, { teamId: caller.teamId, actorId: caller.userId, action: 'testdrive.start', target: t.id, data: { buildId, artifact: input.artifact, ports: input.ports ?? [] } }).catch(() => {});
    return presentTestdrive(t);
  } finally {
    await redis.del(lock).catch(() => {});
  }
}
