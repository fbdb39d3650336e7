// GET /api/v1/audit?limit=&before= — the team's audit trail, newest first.
import { z } from 'zod';
import { route } from '../../../../src/server/http/route';
import { db } from '../../../../src/server/db';
import { listAudit } from '../../../../src/server/auth/audit';

export const dynamic = 'force-dynamic';

export const GET = route(
  { permission: 'audit:read', query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), before: z.string().datetime().optional() }) },
  ({ caller, query }) => listAudit(db(), caller.teamId, query),
);
