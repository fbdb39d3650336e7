// PUT /api/v1/teams/active { teamId } — the browser session works in another of my teams.
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { db } from '../../../../../src/server/db';
import { switchTeam } from '../../../../../src/server/auth/teams';

export const dynamic = 'force-dynamic';

export const PUT = route({ permission: 'team:read', body: z.object({ teamId: z.string().min(1) }) }, ({ caller, body }) => switchTeam(db(), caller, body.teamId));
