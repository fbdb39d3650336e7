// GET /api/v1/compositions/:id/versions/:version
import { z } from 'zod';
import { route } from '../../../../../../../src/server/http/route';
import { getCompositionVersion } from '../../../../../../../src/server/compositions/compositions';

export const GET = route(
  { permission: 'composition:read', params: z.object({ id: z.string(), version: z.coerce.number().int().positive() }) },
  ({ caller, params }) => getCompositionVersion(caller, params.id, params.version),
);
