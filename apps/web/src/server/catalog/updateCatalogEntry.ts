// Deprecating and re-pinning a team catalog entry (admins): `deprecated` + a note saying what to use
// instead, and `pinnedDigest` (the digest specs get when the entry is added). Public entries belong
// to everyone and are changed by whoever publishes them; a team forks one to pin it differently.
import type { PrismaClient } from '@oscompose/db';
import { z } from 'zod';
import { recordAudit } from '../auth/audit';
import type { Caller } from '../auth/caller';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors';
import { serializeCatalogEntry, type CatalogEntryDto } from './serializeCatalogEntry';

export const UpdateCatalogEntryBody = z
  .object({
    deprecated: z.boolean().optional(),
    deprecationNote: z.string().trim().max(500).optional(),
    pinnedDigest: z
      .string()
      .trim()
      .regex(/^sha256:[a-f0-9]{64}$/, 'a digest: sha256: and 64 lower-case hex digits')
      .nullable()
      .optional(),
  })
  .strict();
export type UpdateCatalogEntryInput = z.infer<typeof UpdateCatalogEntryBody>;

export async function updateCatalogEntry(prisma: PrismaClient, caller: Caller, id: string, input: UpdateCatalogEntryInput): Promise<CatalogEntryDto> {
  if (input.deprecated === undefined && input.deprecationNote === undefined && input.pinnedDigest === undefined) {
    throw new BadRequestError('Nothing to change: send deprecated, deprecationNote and/or pinnedDigest.');
  }
  const row = await prisma.catalogEntry.findFirst({ where: { id, OR: [{ teamId: null }, { teamId: caller.teamId }] } });
  if (!row) throw new NotFoundError(`Catalog entry ${id}`);
  if (row.teamId !== caller.teamId) throw new ForbiddenError(`${row.reference} is a public entry; fork it into your team catalog to deprecate or re-pin it there.`);
  const data: { deprecated?: boolean; deprecationNote?: string; pinnedDigest?: string | null } = {};
  if (input.deprecated !== undefined) {
    data.deprecated = input.deprecated;
    // Un-deprecating clears the old note unless a new one is given.
    if (!input.deprecated && input.deprecationNote === undefined) data.deprecationNote = '';
  }
  if (input.deprecationNote !== undefined) data.deprecationNote = input.deprecationNote;
  if (input.pinnedDigest !== undefined) data.pinnedDigest = input.pinnedDigest;
  const updated = await prisma.catalogEntry.update({ where: { id: row.id }, data });
  if (input.deprecated !== undefined && input.deprecated !== row.deprecated) {
    await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: input.deprecated ? 'catalog.deprecate' : 'catalog.undeprecate', target: row.reference, data: { note: updated.deprecationNote } });
  }
  if (input.pinnedDigest !== undefined && input.pinnedDigest !== row.pinnedDigest) {
    await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'catalog.pin', target: row.reference, data: { from: row.pinnedDigest, to: input.pinnedDigest } });
  }
  return serializeCatalogEntry(updated);
}
