// POST /api/v1/compositions/:id/fork { name? } → 201: a public composition (or the team's own) copied into the team.
import { z } from 'zod';
import { json, route } from '../../../../../../src/server/http/route';
import { forkComposition } from '../../../../../../src/server/compositions/forkComposition';

export const POST = route(
  { permission: 'composition:write', params: z.object({ id: z.string() }), body: z.object({ name: z.string().trim().min(1).max(200).optional() }) },
  async ({ caller, params, body }) => json(await forkComposition(caller, params.id, body.name), 201),
);
