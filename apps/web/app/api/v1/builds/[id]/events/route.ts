// GET /api/v1/builds/:id/events — server-sent events: stored events first, then live, until the final status.
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { buildEventStream } from '../../../../../../src/server/builds/eventStream';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'build:read', params: z.object({ id: z.string().min(1) }) }, ({ caller, params, req }) =>
  buildEventStream(caller, params.id, req),
);
