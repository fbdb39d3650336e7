// GET /api/v1/tokens — the caller's API tokens in this team (admins: everyone's); never the token text.
// POST /api/v1/tokens { name, scopes?, expiresInDays? } → 201 { token, info }: the text, shown once.
import { route, json } from '../../../../src/server/http/route';
import { db } from '../../../../src/server/db';
import { CreateTokenBody, issueToken, listTokens } from '../../../../src/server/auth/tokens';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'token:manage' }, ({ caller }) => listTokens(db(), caller));

export const POST = route({ permission: 'token:manage', body: CreateTokenBody }, async ({ caller, body }) => json(await issueToken(db(), caller, body), 201));
