// POST /api/v1/specs/plan { spec, formats } → { images, sections, problems }
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { planSpec } from '../../../../../src/server/specs/planSpec';
import { SpecText } from '../../../../../src/server/specs/specText';

export const POST = route(
  { permission: 'spec:plan', body: z.object({ spec: SpecText, formats: z.array(z.string()).default([]) }) },
  ({ caller, body }) => planSpec(caller.teamId, body.spec),
);
