// GET /api/v1/teams — who am I: user, current team, role, permissions, and all my teams.
import { route } from '../../../../src/server/http/route';
import { db } from '../../../../src/server/db';
import { myTeams } from '../../../../src/server/auth/teams';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'team:read' }, ({ caller }) => myTeams(db(), caller));
