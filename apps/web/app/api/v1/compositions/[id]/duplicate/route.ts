// POST /api/v1/compositions/:id/duplicate { name? } → 201
import { z } from 'zod';
import { json, route } from '../../../../../../src/server/http/route';
import { duplicateComposition } from '../../../../../../src/server/compositions/compositions';

export const POST = route(
  { permission: 'composition:write', params: z.object({ id: z.string() }), body: z.object({ name: z.string().trim().min(1).max(200).optional() }) },
  async ({ caller, params, body }) => json(await duplicateComposition(caller, params.id, body.name), 201),
);
