// PATCH /api/v1/members/:id { role } — change a member's role; DELETE — remove from the team.
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { db } from '../../../../../src/server/db';
import { RoleSchema, changeRole, removeMember } from '../../../../../src/server/auth/teams';

export const dynamic = 'force-dynamic';
const params = z.object({ id: z.string().min(1) });

export const PATCH = route({ permission: 'team:manage', params, body: z.object({ role: RoleSchema }) }, ({ caller, params, body }) => changeRole(db(), caller, params.id, body.role));

export const DELETE = route({ permission: 'team:manage', params }, ({ caller, params }) => removeMember(db(), caller, params.id));
