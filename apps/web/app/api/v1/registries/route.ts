// GET /api/v1/registries — the registries specs may name: the operator's (every team) and the team's;
// POST { host } → 201 — a team admin allows another public registry (docs/security.md).
import { route, json } from '../../../../src/server/http/route';
import { db } from '../../../../src/server/db';
import { AddRegistryBody, addRegistry, listRegistries } from '../../../../src/server/registries/teamRegistries';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'registry:read' }, ({ caller }) => listRegistries(db(), caller));

export const POST = route({ permission: 'registry:write', body: AddRegistryBody }, async ({ caller, body }) => json(await addRegistry(db(), caller, body), 201));
