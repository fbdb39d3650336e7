// GET /api/v1/credentials — registry hosts and user names (never the secret);
// PUT { host, username, secret } — set the team's credential for a host (encrypted at rest).
import { route } from '../../../../src/server/http/route';
import { db } from '../../../../src/server/db';
import { PutCredentialBody, listCredentials, putCredential } from '../../../../src/server/auth/credentials';
import { serverSecret } from '../../../../src/server/auth/serverSecret';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'credential:read' }, ({ caller }) => listCredentials(db(), caller));

export const PUT = route({ permission: 'credential:write', body: PutCredentialBody }, ({ caller, body }) => putCredential(db(), caller, body, serverSecret()));
