// GET /api/v1/compositions, POST /api/v1/compositions { name, spec, description?, bootCheck? } → 201
import { z } from 'zod';
import { BootExpectationsSchema } from '@oscompose/bootcheck/expectations';
import { json, route } from '../../../../src/server/http/route';
import { createComposition, listCompositions } from '../../../../src/server/compositions/compositions';
import { SpecText } from '../../../../src/server/specs/specText';

export const GET = route({ permission: 'composition:read' }, async ({ caller }) => ({ items: await listCompositions(caller) }));

export const POST = route(
  { permission: 'composition:write', body: z.object({ name: z.string().trim().min(1).max(200), spec: SpecText, description: z.string().max(2000).optional(), bootCheck: BootExpectationsSchema.nullable().optional() }) },
  async ({ caller, body }) => json(await createComposition(caller, body), 201),
);
