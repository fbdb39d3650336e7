// GET /api/v1/invitations — pending invitations; POST { email, role?, expiresInDays? } → 201 { url }.
import { route, json } from '../../../../src/server/http/route';
import { db } from '../../../../src/server/db';
import { publicBaseUrl } from '../../../../src/server/publicUrl';
import { CreateInvitationBody, createInvitation, listInvitations } from '../../../../src/server/auth/teams';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'team:manage' }, ({ caller }) => listInvitations(db(), caller));

export const POST = route({ permission: 'team:manage', body: CreateInvitationBody }, async ({ req, caller, body }) =>
  json(await createInvitation(db(), caller, body, publicBaseUrl(req)), 201),
);
