// GET /api/v1/catalog?kind=&q=&scope=team|public|remote
// POST /api/v1/catalog { reference, kind, name?, title?, description? } — add an image to the team's
// catalog by reference (resolved to a digest with the team's registry credentials; admins).
import { z } from 'zod';
import { route } from '../../../../src/server/http/route';
import { listCatalog } from '../../../../src/server/catalog/listCatalog';
import { AddByReferenceBody, addByReference } from '../../../../src/server/catalog/addByReference';
import { db } from '../../../../src/server/db';
import { serverSecret } from '../../../../src/server/auth/serverSecret';
import { json } from '../../../../src/server/http/route';

export const GET = route(
  {
    permission: 'catalog:read',
    query: z.object({ kind: z.string().optional(), q: z.string().optional(), scope: z.enum(['team', 'public', 'remote']).optional() }),
  },
  async ({ caller, query }) => ({ items: await listCatalog(caller.teamId, query) }),
);

export const POST = route({ permission: 'catalog:write', body: AddByReferenceBody }, async ({ caller, body }) =>
  json(await addByReference(db(), caller, body, serverSecret()), 201),
);
