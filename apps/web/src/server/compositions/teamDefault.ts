// The team's default composition: a team setting (admins) naming one of the team's compositions,
// which the composer opens for "New composition". A default that was deleted reads as none.
import type { PrismaClient } from '@oscompose/db';
import { recordAudit } from '../auth/audit';
import type { Caller } from '../auth/caller';
import { NotFoundError } from '../errors';

export interface TeamDefaultDto {
  composition: { id: string; name: string; version: number; spec: string } | null;
}

export async function getTeamDefault(prisma: PrismaClient, caller: Caller): Promise<TeamDefaultDto> {
  const team = await prisma.team.findUnique({ where: { id: caller.teamId }, select: { defaultCompositionId: true } });
  if (!team?.defaultCompositionId) return { composition: null };
  const c = await prisma.composition.findFirst({
    where: { id: team.defaultCompositionId, teamId: caller.teamId },
    include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
  });
  if (!c) return { composition: null };
  return { composition: { id: c.id, name: c.name, version: c.versions[0]?.version ?? 0, spec: c.versions[0]?.specText ?? '' } };
}

/** Names one of the team's own compositions as its default (null clears it). */
export async function setTeamDefault(prisma: PrismaClient, caller: Caller, compositionId: string | null): Promise<TeamDefaultDto> {
  if (compositionId !== null) {
    const c = await prisma.composition.findFirst({ where: { id: compositionId, teamId: caller.teamId }, select: { id: true } });
    // A public composition of another team is forked first; it is not the team's to name.
    if (!c) throw new NotFoundError(`Composition ${compositionId}`);
  }
  await prisma.team.update({ where: { id: caller.teamId }, data: { defaultCompositionId: compositionId } });
  await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'team.default-composition', target: compositionId });
  return getTeamDefault(prisma, caller);
}
