// POST /api/v1/builds/:id/rebuild { fresh? } — a new build of the same spec and formats (202).
import { z } from 'zod';
import { json, route } from '../../../../../../src/server/http/route';
import { rebuild } from '../../../../../../src/server/builds/rebuild';
import { buildPageUrl } from '../../../../../../src/server/publicUrl';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'build:rebuild', params: z.object({ id: z.string().min(1) }), body: z.object({ fresh: z.boolean().optional() }) },
  async ({ req, caller, params, body }) => {
    const created = await rebuild(caller, params.id, { fresh: body.fresh });
    return json({ ...created, pageUrl: buildPageUrl(req, created.id) }, 202, { Location: created.url });
  },
);
