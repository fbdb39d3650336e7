// DELETE /api/v1/tokens/:id — revoke (own tokens; admins: any token of the team).
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { db } from '../../../../../src/server/db';
import { revokeToken } from '../../../../../src/server/auth/tokens';

export const dynamic = 'force-dynamic';

export const DELETE = route({ permission: 'token:manage', params: z.object({ id: z.string().min(1) }) }, ({ caller, params }) => revokeToken(db(), caller, params.id));
