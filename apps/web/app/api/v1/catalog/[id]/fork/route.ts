// POST /api/v1/catalog/:id/fork → 201: a public catalog entry copied into the team catalog (admins).
import { z } from 'zod';
import { json, route } from '../../../../../../src/server/http/route';
import { forkCatalogEntry } from '../../../../../../src/server/catalog/forkCatalogEntry';
import { db } from '../../../../../../src/server/db';

export const POST = route({ permission: 'catalog:write', params: z.object({ id: z.string() }) }, async ({ caller, params }) =>
  json(await forkCatalogEntry(db(), caller, params.id), 201),
);
