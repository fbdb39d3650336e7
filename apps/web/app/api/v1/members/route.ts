// GET /api/v1/members — the current team's members and roles.
import { route } from '../../../../src/server/http/route';
import { db } from '../../../../src/server/db';
import { listMembers } from '../../../../src/server/auth/teams';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'team:read' }, ({ caller }) => listMembers(db(), caller));
