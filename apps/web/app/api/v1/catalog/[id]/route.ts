// GET /api/v1/catalog/:id
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { getCatalogEntry } from '../../../../../src/server/catalog/getCatalogEntry';

export const GET = route({ permission: 'catalog:read', params: z.object({ id: z.string() }) }, ({ caller, params }) =>
  getCatalogEntry(caller.teamId, params.id),
);
