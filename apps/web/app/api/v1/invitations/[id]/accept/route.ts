// POST /api/v1/invitations/:id/accept — the signed-in user joins the team (invitation for their e-mail).
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { db } from '../../../../../../src/server/db';
import { acceptInvitation } from '../../../../../../src/server/auth/teams';

export const dynamic = 'force-dynamic';

export const POST = route(
  { permission: 'invitation:accept', teamless: true, params: z.object({ id: z.string().min(1) }) },
  async ({ caller, params }) => {
    const joined = await acceptInvitation(db(), caller.userId, params.id);
    // A browser session moves into the team it just joined.
    if (caller.via === 'session' && caller.sessionId) {
      await db().session.update({ where: { id: caller.sessionId }, data: { activeOrganizationId: joined.teamId } });
    }
    return joined;
  },
);
