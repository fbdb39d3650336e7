// DELETE /api/v1/invitations/:id — cancel a pending invitation.
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { db } from '../../../../../src/server/db';
import { cancelInvitation } from '../../../../../src/server/auth/teams';

export const dynamic = 'force-dynamic';

export const DELETE = route({ permission: 'team:manage', params: z.object({ id: z.string().min(1) }) }, ({ caller, params }) => cancelInvitation(db(), caller, params.id));
