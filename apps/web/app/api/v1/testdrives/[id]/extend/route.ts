// POST /api/v1/testdrives/:id/extend { minutes? } — more time (up to the instance's maximum); 409 when it is not running.
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { extendTestdrive } from '../../../../../../src/server/testdrives/stopTestdrive';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'testdrive:use', params: z.object({ id: z.string().min(1) }), body: z.object({ minutes: z.number().int().min(1).optional() }).strict() },
  ({ caller, params, body }) => extendTestdrive(caller, params.id, body.minutes),
);
