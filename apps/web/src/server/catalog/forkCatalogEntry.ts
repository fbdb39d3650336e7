// Forking a public catalog entry into the caller's team: a private copy (same reference, digest,
// defaults) the team can then deprecate or re-pin on its own. In the team's catalog listing the
// fork stands in for the public entry it came from.
import type { PrismaClient } from '@oscompose/db';
import { recordAudit } from '../auth/audit';
import type { Caller } from '../auth/caller';
import { BadRequestError, ConflictError, NotFoundError } from '../errors';
import { serializeCatalogEntry, type CatalogEntryDto } from './serializeCatalogEntry';

export async function forkCatalogEntry(prisma: PrismaClient, caller: Caller, id: string): Promise<CatalogEntryDto> {
  const source = await prisma.catalogEntry.findFirst({ where: { id, OR: [{ teamId: null }, { teamId: caller.teamId }] } });
  if (!source) throw new NotFoundError(`Catalog entry ${id}`);
  if (source.teamId === caller.teamId) throw new BadRequestError(`${source.reference} is already in your team catalog; change it there instead of forking it.`);
  const existing = await prisma.catalogEntry.findFirst({ where: { teamId: caller.teamId, reference: source.reference } });
  if (existing) throw new ConflictError(`${source.reference} is already in your team catalog (entry ${existing.id}); change that one.`);
  const row = await prisma.catalogEntry.create({
    data: {
      teamId: caller.teamId,
      reference: source.reference,
      name: source.name,
      kind: source.kind,
      title: source.title,
      description: source.description,
      defaultConfig: source.defaultConfig,
      pinnedDigest: source.pinnedDigest,
      tags: source.tags,
      source: 'team',
      size: source.size,
      architectures: source.architectures,
    },
  });
  await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'catalog.fork', target: source.reference, data: { from: source.id } });
  return serializeCatalogEntry(row);
}
