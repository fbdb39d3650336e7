// GET /api/v1/teams/default-composition — the composition "New composition" opens ({ composition: null } when unset).
// PUT /api/v1/teams/default-composition { compositionId: string | null } — set or clear it (admins).
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { db } from '../../../../../src/server/db';
import { getTeamDefault, setTeamDefault } from '../../../../../src/server/compositions/teamDefault';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'composition:read' }, ({ caller }) => getTeamDefault(db(), caller));

export const PUT = route({ permission: 'team:manage', body: z.object({ compositionId: z.string().min(1).nullable() }) }, ({ caller, body }) =>
  setTeamDefault(db(), caller, body.compositionId),
);
