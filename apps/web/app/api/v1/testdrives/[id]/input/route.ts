// POST /api/v1/testdrives/:id/input { data } — 204: keystrokes for the serial console (members only; viewers watch).
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { sendConsoleInput } from '../../../../../../src/server/testdrives/consoleStream';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'testdrive:use', params: z.object({ id: z.string().min(1) }), body: z.object({ data: z.string().min(1) }).strict() },
  async ({ caller, params, body }) => {
    await sendConsoleInput(caller, params.id, body.data);
  },
);
