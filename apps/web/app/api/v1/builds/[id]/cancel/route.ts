// POST /api/v1/builds/:id/cancel — 202; 409 when the build already finished.
import { z } from 'zod';
import { json, route } from '../../../../../../src/server/http/route';
import { cancelBuild } from '../../../../../../src/server/builds/cancelBuild';

export const dynamic = 'force-dynamic';

export const POST = route({ permission: 'build:cancel', params: z.object({ id: z.string().min(1) }) }, async ({ caller, params }) =>
  json(await cancelBuild(caller, params.id), 202),
);
