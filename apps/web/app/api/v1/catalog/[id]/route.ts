// GET /api/v1/catalog/:id
// PATCH /api/v1/catalog/:id { deprecated?, deprecationNote?, pinnedDigest? } — the team's own entries (admins).
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { getCatalogEntry } from '../../../../../src/server/catalog/getCatalogEntry';
import { UpdateCatalogEntryBody, updateCatalogEntry } from '../../../../../src/server/catalog/updateCatalogEntry';
import { db } from '../../../../../src/server/db';

export const GET = route({ permission: 'catalog:read', params: z.object({ id: z.string() }) }, ({ caller, params }) =>
  getCatalogEntry(caller.teamId, params.id),
);

export const PATCH = route({ permission: 'catalog:write', params: z.object({ id: z.string() }), body: UpdateCatalogEntryBody }, ({ caller, params, body }) =>
  updateCatalogEntry(db(), caller, params.id, body),
);
