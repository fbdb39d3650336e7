// GET /api/v1/testdrives/:id/console — server-sent events: output (JSON string), then end { reason }.
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { testdriveConsoleStream } from '../../../../../../src/server/testdrives/consoleStream';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'testdrive:read', params: z.object({ id: z.string().min(1) }) }, ({ caller, params, req }) =>
  testdriveConsoleStream(caller, params.id, req),
);
