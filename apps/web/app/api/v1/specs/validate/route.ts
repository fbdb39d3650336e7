// POST /api/v1/specs/validate { spec } → { problems: [{ line, col, endLine, endCol, message, severity }] }
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { validateSpec } from '../../../../../src/server/specs/validateSpec';
import { SpecText } from '../../../../../src/server/specs/specText';

export const POST = route({ permission: 'spec:validate', body: z.object({ spec: SpecText }) }, ({ body }) => validateSpec(body.spec));
