// GET /api/v1/compositions/:id; PUT { spec?, bootCheck?, message?, name?, description?, visibility? } → a new
// version when the spec or the boot expectations (bootCheck, null clears them) changed
import { z } from 'zod';
import { BootExpectationsSchema } from '@oscompose/bootcheck/expectations';
import { route } from '../../../../../src/server/http/route';
import { getComposition, updateComposition } from '../../../../../src/server/compositions/compositions';
import { SpecText } from '../../../../../src/server/specs/specText';

const params = z.object({ id: z.string() });

export const GET = route({ permission: 'composition:read', params }, ({ caller, params }) => getComposition(caller, params.id));

export const PUT = route(
  {
    permission: 'composition:write',
    params,
    body: z.object({
      spec: SpecText.optional(),
      bootCheck: BootExpectationsSchema.nullable().optional(),
      message: z.string().max(500).optional(),
      name: z.string().trim().min(1).max(200).optional(),
      description: z.string().max(2000).optional(),
      visibility: z.enum(['team', 'public']).optional(),
    }),
  },
  ({ caller, params, body }) => updateComposition(caller, params.id, body),
);
