// Forking a composition into the caller's team: another team's public composition (or one of the
// team's own) copied at its latest version, remembering where it came from (forkedFromId).
import { db } from '../db';
import { recordAudit } from '../auth/audit';
import type { Caller } from '../auth/caller';
import { NotFoundError } from '../errors';

export async function forkComposition(caller: Caller, id: string, name?: string) {
  const source = await db().composition.findFirst({
    where: { id, OR: [{ teamId: caller.teamId }, { visibility: 'public' }] },
    include: { team: { select: { name: true } }, versions: { orderBy: { version: 'desc' }, take: 1 } },
  });
  if (!source) throw new NotFoundError(`Composition ${id}`);
  const spec = source.versions[0]?.specText ?? '';
  const from = source.teamId === caller.teamId ? source.name : `${source.team.name} / ${source.name}`;
  const row = await db().composition.create({
    data: {
      teamId: caller.teamId,
      name: name ?? source.name,
      description: source.description,
      // A fork starts private to the team; publishing it again is a separate decision.
      visibility: 'team',
      createdById: caller.userId,
      forkedFromId: source.id,
      latestVersion: 1,
      versions: { create: { version: 1, specText: spec, bootExpectations: source.versions[0]?.bootExpectations ?? null, authorId: caller.userId, message: `forked from ${from} v${source.versions[0]?.version ?? 0}` } },
    },
  });
  await recordAudit(db(), { teamId: caller.teamId, actorId: caller.userId, action: 'composition.fork', target: row.id, data: { from: source.id, fromTeam: source.teamId } });
  return { id: row.id, name: row.name, description: row.description, latestVersion: 1, updatedAt: row.updatedAt.toISOString(), visibility: row.visibility, forkedFromId: source.id, version: 1 };
}
