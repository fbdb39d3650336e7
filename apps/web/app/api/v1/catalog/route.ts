// GET /api/v1/catalog?kind=&q=&scope=team|public|remote
import { z } from 'zod';
import { route } from '../../../../src/server/http/route';
import { listCatalog } from '../../../../src/server/catalog/listCatalog';

export const dynamic = 'force-dynamic';

export const GET = route(
  {
    permission: 'catalog:read',
    query: z.object({ kind: z.string().optional(), q: z.string().optional(), scope: z.enum(['team', 'public', 'remote']).optional() }),
  },
  async ({ caller, query }) => ({ items: await listCatalog(caller.teamId, query) }),
);
