// One catalog entry the team may see.
import { db } from '../db';
import { NotFoundError } from '../errors';
import { serializeCatalogEntry, type CatalogEntryDto } from './serializeCatalogEntry';

export async function getCatalogEntry(teamId: string, id: string): Promise<CatalogEntryDto> {
  const row = await db().catalogEntry.findFirst({ where: { id, OR: [{ teamId: null }, { teamId }] } });
  if (!row) throw new NotFoundError(`Catalog entry ${id}`);
  return serializeCatalogEntry(row);
}
