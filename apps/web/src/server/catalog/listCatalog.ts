// The catalog a team sees: public entries (teamId null) and its own, filtered by kind, scope and text.
import { db } from '../db';
import { serializeCatalogEntry, type CatalogEntryDto } from './serializeCatalogEntry';

export interface CatalogQuery {
  kind?: string;
  q?: string;
  scope?: 'team' | 'public' | 'remote';
}

export async function listCatalog(teamId: string, query: CatalogQuery): Promise<CatalogEntryDto[]> {
  const visible = { OR: [{ teamId: null }, { teamId }] };
  const scope =
    query.scope === 'team' ? { teamId } : query.scope === 'public' ? { teamId: null } : query.scope === 'remote' ? { source: 'remote' } : {};
  const rows = await db().catalogEntry.findMany({
    where: { AND: [visible, scope, query.kind ? { kind: query.kind } : {}] },
    orderBy: [{ kind: 'asc' }, { title: 'asc' }],
  });
  const needle = query.q?.trim().toLowerCase();
  // A team's own entry (a fork, an upload) stands in for the public entry with the same reference.
  const own = new Set(rows.filter((r) => r.teamId === teamId).map((r) => r.reference));
  const items = rows.filter((r) => r.teamId !== null || !own.has(r.reference)).map(serializeCatalogEntry);
  // Text search in JS: SQLite and PostgreSQL differ on case-insensitive LIKE, and catalogs are small.
  return needle
    ? items.filter((i) => `${i.title} ${i.name} ${i.reference} ${i.description}`.toLowerCase().includes(needle))
    : items;
}
