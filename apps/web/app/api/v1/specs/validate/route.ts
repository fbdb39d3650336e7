// POST /api/v1/specs/validate { spec } → { problems: [{ line, col, endLine, endCol, message, severity }] }
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { validateSpec } from '../../../../../src/server/specs/validateSpec';

export const POST = route({ permission: 'spec:validate', body: z.object({ spec: z.string().max(1_000_000) }) }, ({ body }) => validateSpec(body.spec));
