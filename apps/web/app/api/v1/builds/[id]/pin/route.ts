// POST /api/v1/builds/:id/pin { pinned } — keep (or stop keeping) a build's artifacts past retention.
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { pinBuild } from '../../../../../../src/server/builds/pinBuild';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'build:pin', params: z.object({ id: z.string().min(1) }), body: z.object({ pinned: z.boolean().default(true) }) },
  ({ caller, params, body }) => pinBuild(caller, params.id, body.pinned),
);
