// The authorization matrix: every /api/v1 route × every role × own team and a foreign team, run
// against the real route handlers, the real SQLite database, a real redis-server (the build queue)
// and a local artifact store. Callers authenticate with real API tokens (Authorization: Bearer),
// so the resolver, the permission table and the services' team scoping are all under test.
//
// Expectations: a role that holds the route's permission gets a success on its own team's objects
// and 404 on the foreign team's (existence is not revealed); a role without it gets 403.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBuildDeps } from './support/buildDeps';
import { startRedis, type RedisServer } from '@oscompose/queue/testing';
import type { PrismaClient } from '@oscompose/db';
import { addMember, useWebDatabase } from './support/database';
import { ROLES, can, type Permission, type Role } from '../src/server/auth/permissions';

const SPEC = `kernel:
  image: localhost:5000/oscompose/kernel:6.6
  cmdline: "console=ttyS0"
init:
  - localhost:5000/oscompose/init:1
`;

let dir: string;
let redis: RedisServer | undefined;
let prisma: PrismaClient;

interface TeamFx {
  id: string;
  slug: string;
  users: Record<Role, { id: string; email: string; token: string }>;
  compositionId: string;
  privateCatalogId: string;
  doneBuildId: string;
}
const teams: Record<'A' | 'B', TeamFx> = {} as never;

async function makeTeam(label: 'A' | 'B'): Promise<TeamFx> {
  const team = await prisma.team.create({ data: { name: `Team ${label}`, slug: `team-${label.toLowerCase()}` } });
  const users = {} as TeamFx['users'];
  for (const role of ROLES) {
    const email = `${role}-${label.toLowerCase()}@example.com`;
    // Signed up: a credential account ends single-user mode, as a real sign-up would.
    const { userId, token } = await addMember(prisma, { teamId: team.id, role, name: `${role} ${label}`, email, tokenName: `matrix ${role}`, signedUp: true });
    users[role] = { id: userId, email, token };
  }
  const composition = await prisma.composition.create({
    data: { teamId: team.id, name: `comp ${label}`, visibility: 'team', latestVersion: 1, versions: { create: { version: 1, specText: SPEC } } },
  });
  const entry = await prisma.catalogEntry.create({
    data: { teamId: team.id, reference: `registry.example.com/${label.toLowerCase()}/private:1`, name: 'private', kind: 'service', title: `private ${label}`, source: 'team' },
  });
  const done = await makeBuild(team.id, 'succeeded');
  return { id: team.id, slug: team.slug, users, compositionId: composition.id, privateCatalogId: entry.id, doneBuildId: done };
}

async function makeBuild(teamId: string, status: string): Promise<string> {
  const build = await prisma.build.create({
    data: { teamId, specText: SPEC, specHash: createHash('sha256').update(SPEC).digest('hex'), formats: '["tar"]', status, ...(status === 'succeeded' ? { finishedAt: new Date() } : {}) },
  });
  if (status === 'succeeded') {
    const body = Buffer.from(`artifact of ${build.id}\n`);
    const key = `builds/${build.id}/linuxkit.tar`;
    await mkdir(path.join(dir, 'artifacts', 'builds', build.id), { recursive: true });
    await writeFile(path.join(dir, 'artifacts', key), body);
    await prisma.artifact.create({ data: { buildId: build.id, format: 'tar', name: 'linuxkit.tar', size: BigInt(body.length), sha256: createHash('sha256').update(body).digest('hex'), storageKey: key } });
    const sbom = Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: build.id }));
    const sbomKey = `builds/${build.id}/linuxkit.spdx.json`;
    await writeFile(path.join(dir, 'artifacts', sbomKey), sbom);
    await prisma.artifact.create({ data: { buildId: build.id, format: 'sbom', name: 'linuxkit.spdx.json', size: BigInt(sbom.length), sha256: createHash('sha256').update(sbom).digest('hex'), storageKey: sbomKey } });
    const contents = Buffer.from(JSON.stringify({ schema: 'oscompose.contents/v1', sections: [] }));
    const contentsKey = `builds/${build.id}/linuxkit.contents.json`;
    await writeFile(path.join(dir, 'artifacts', contentsKey), contents);
    await prisma.artifact.create({ data: { buildId: build.id, format: 'contents', name: 'linuxkit.contents.json', size: BigInt(contents.length), sha256: createHash('sha256').update(contents).digest('hex'), storageKey: contentsKey } });
  }
  return build.id;
}

// ------------------------------------------------------------------------------------------------
// The routes. `target(team, as)` returns the path parameters of an object in `team` (created fresh
// when the call would consume it); routes without a target act on the caller's team as a whole.

type Params = Record<string, string>;
interface Case {
  method: string;
  path: string;
  permission: Permission;
  load: () => Promise<Record<string, unknown>>;
  target?: (team: TeamFx, as: Role) => Promise<Params>;
  body?: (team: TeamFx, as: Role) => unknown;
  /** Query string appended to the path. */
  query?: string;
  /** Statuses that still mean "allowed" (past the wrapper, refused by something else on purpose). */
  alsoAllowed?: number[];
}

// Static imports (Vite cannot resolve a variable path with [brackets]).

const CASES: Case[] = [
  // builds and artifacts
  { method: 'GET', path: 'builds', permission: 'build:read', load: () => import('../app/api/v1/builds/route') },
  { method: 'POST', path: 'builds', permission: 'build:create', load: () => import('../app/api/v1/builds/route'), body: () => ({ spec: SPEC, formats: ['tar'] }) },
  { method: 'POST', path: 'builds (composition)', permission: 'build:create', load: () => import('../app/api/v1/builds/route'), target: async (t) => ({ compositionId: t.compositionId }), body: () => undefined },
  { method: 'GET', path: 'builds/[id]', permission: 'build:read', load: () => import('../app/api/v1/builds/[id]/route'), target: async (t) => ({ id: t.doneBuildId }) },
  { method: 'GET', path: 'builds/[id]/events', permission: 'build:read', load: () => import('../app/api/v1/builds/[id]/events/route'), target: async (t) => ({ id: t.doneBuildId }) },
  { method: 'POST', path: 'builds/[id]/cancel', permission: 'build:cancel', load: () => import('../app/api/v1/builds/[id]/cancel/route'), target: async (t) => ({ id: await makeBuild(t.id, 'queued') }) },
  { method: 'POST', path: 'builds/[id]/rebuild', permission: 'build:rebuild', load: () => import('../app/api/v1/builds/[id]/rebuild/route'), target: async (t) => ({ id: t.doneBuildId }), body: () => ({}) },
  { method: 'POST', path: 'builds/[id]/pin', permission: 'build:pin', load: () => import('../app/api/v1/builds/[id]/pin/route'), target: async (t) => ({ id: t.doneBuildId }), body: () => ({ pinned: true }) },
  { method: 'GET', path: 'builds/[id]/artifacts/[name]', permission: 'artifact:download', load: () => import('../app/api/v1/builds/[id]/artifacts/[name]/route'), target: async (t) => ({ id: t.doneBuildId, name: 'linuxkit.tar' }) },
  { method: 'GET', path: 'builds/[id]/sbom', permission: 'build:read', load: () => import('../app/api/v1/builds/[id]/sbom/route'), target: async (t) => ({ id: t.doneBuildId }) },
  { method: 'GET', path: 'builds/[id]/contents', permission: 'build:read', load: () => import('../app/api/v1/builds/[id]/contents/route'), target: async (t) => ({ id: t.doneBuildId }) },
  // catalog
  { method: 'GET', path: 'catalog', permission: 'catalog:read', load: () => import('../app/api/v1/catalog/route') },
  // Allowed callers get past the wrapper to the registry policy, which refuses loopback (422).
  { method: 'POST', path: 'catalog', permission: 'catalog:write', load: () => import('../app/api/v1/catalog/route'), body: () => ({ reference: '127.0.0.1:9/nowhere/image:1', kind: 'service' }), alsoAllowed: [422] },
  // Allowed callers get past the wrapper to the archive check: an empty body answers 400.
  { method: 'POST', path: 'catalog/uploads', permission: 'catalog:write', load: () => import('../app/api/v1/catalog/uploads/route'), query: 'name=up&kind=service', alsoAllowed: [400] },
  { method: 'GET', path: 'catalog/[id]', permission: 'catalog:read', load: () => import('../app/api/v1/catalog/[id]/route'), target: async (t) => ({ id: t.privateCatalogId }) },
  { method: 'PATCH', path: 'catalog/[id]', permission: 'catalog:write', load: () => import('../app/api/v1/catalog/[id]/route'), target: async (t) => ({ id: t.privateCatalogId }), body: () => ({ deprecated: true, deprecationNote: 'use the new one' }) },
  // Own team: a fresh public entry to fork; foreign: the other team's private entry (→ 404).
  { method: 'POST', path: 'catalog/[id]/fork', permission: 'catalog:write', load: () => import('../app/api/v1/catalog/[id]/fork/route'), target: async (t) => ({ id: t === teams.A ? await freshPublicEntry() : t.privateCatalogId }) },
  // compositions
  { method: 'GET', path: 'compositions', permission: 'composition:read', load: () => import('../app/api/v1/compositions/route') },
  { method: 'POST', path: 'compositions', permission: 'composition:write', load: () => import('../app/api/v1/compositions/route'), body: () => ({ name: 'new one', spec: SPEC }) },
  { method: 'GET', path: 'compositions/[id]', permission: 'composition:read', load: () => import('../app/api/v1/compositions/[id]/route'), target: async (t) => ({ id: t.compositionId }) },
  { method: 'PUT', path: 'compositions/[id]', permission: 'composition:write', load: () => import('../app/api/v1/compositions/[id]/route'), target: async (t) => ({ id: t.compositionId }), body: () => ({ description: 'edited' }) },
  { method: 'POST', path: 'compositions/[id]/duplicate', permission: 'composition:write', load: () => import('../app/api/v1/compositions/[id]/duplicate/route'), target: async (t) => ({ id: t.compositionId }), body: () => ({}) },
  { method: 'POST', path: 'compositions/[id]/fork', permission: 'composition:write', load: () => import('../app/api/v1/compositions/[id]/fork/route'), target: async (t) => ({ id: t.compositionId }), body: () => ({}) },
  { method: 'GET', path: 'compositions/[id]/versions/[version]', permission: 'composition:read', load: () => import('../app/api/v1/compositions/[id]/versions/[version]/route'), target: async (t) => ({ id: t.compositionId, version: '1' }) },
  // specs and formats (no team objects)
  { method: 'GET', path: 'formats', permission: 'format:read', load: () => import('../app/api/v1/formats/route') },
  { method: 'POST', path: 'specs/validate', permission: 'spec:validate', load: () => import('../app/api/v1/specs/validate/route'), body: () => ({ spec: SPEC }) },
  { method: 'POST', path: 'specs/plan', permission: 'spec:plan', load: () => import('../app/api/v1/specs/plan/route'), body: () => ({ spec: SPEC, formats: ['tar'] }) },
  // team administration
  { method: 'GET', path: 'teams', permission: 'team:read', load: () => import('../app/api/v1/teams/route') },
  { method: 'PUT', path: 'teams/active', permission: 'team:read', load: () => import('../app/api/v1/teams/active/route'), target: async (t) => ({ teamId: t.id }), body: () => undefined },
  { method: 'GET', path: 'teams/default-composition', permission: 'composition:read', load: () => import('../app/api/v1/teams/default-composition/route') },
  { method: 'PUT', path: 'teams/default-composition', permission: 'team:manage', load: () => import('../app/api/v1/teams/default-composition/route'), target: async (t) => ({ compositionId: t.compositionId }), body: () => undefined },
  { method: 'GET', path: 'members', permission: 'team:read', load: () => import('../app/api/v1/members/route') },
  { method: 'PATCH', path: 'members/[id]', permission: 'team:manage', load: () => import('../app/api/v1/members/[id]/route'), target: async (t) => ({ id: await freshMember(t) }), body: () => ({ role: 'member' }) },
  { method: 'DELETE', path: 'members/[id]', permission: 'team:manage', load: () => import('../app/api/v1/members/[id]/route'), target: async (t) => ({ id: await freshMember(t) }) },
  { method: 'GET', path: 'invitations', permission: 'team:manage', load: () => import('../app/api/v1/invitations/route') },
  { method: 'POST', path: 'invitations', permission: 'team:manage', load: () => import('../app/api/v1/invitations/route'), body: () => ({ email: `new-${Math.random().toString(36).slice(2)}@example.com`, role: 'viewer' }) },
  { method: 'DELETE', path: 'invitations/[id]', permission: 'team:manage', load: () => import('../app/api/v1/invitations/[id]/route'), target: async (t) => ({ id: await freshInvitation(t, `someone-${Math.random()}@example.com`) }) },
  {
    method: 'POST',
    path: 'invitations/[id]/accept',
    permission: 'invitation:accept',
    load: () => import('../app/api/v1/invitations/[id]/accept/route'),
    // Own: an invitation for the caller's own e-mail; foreign: team B's invitation for someone else.
    target: async (t, as) => ({ id: await freshInvitation(t, t === teams.A ? teams.A.users[as].email : 'stranger@example.com') }),
  },
  // tokens
  { method: 'GET', path: 'tokens', permission: 'token:manage', load: () => import('../app/api/v1/tokens/route') },
  { method: 'POST', path: 'tokens', permission: 'token:manage', load: () => import('../app/api/v1/tokens/route'), body: () => ({ name: 'made in the matrix', scopes: ['build:read'] }) },
  { method: 'DELETE', path: 'tokens/[id]', permission: 'token:manage', load: () => import('../app/api/v1/tokens/[id]/route'), target: async (t, as) => ({ id: await freshToken(t, t === teams.A ? as : 'owner') }) },
  // registry credentials and audit
  { method: 'GET', path: 'credentials', permission: 'credential:read', load: () => import('../app/api/v1/credentials/route') },
  { method: 'PUT', path: 'credentials', permission: 'credential:write', load: () => import('../app/api/v1/credentials/route'), body: () => ({ host: 'registry.example.com', username: 'ci', secret: 's3cret-value' }) },
  { method: 'DELETE', path: 'credentials/[id]', permission: 'credential:write', load: () => import('../app/api/v1/credentials/[id]/route'), target: async (t) => ({ id: await freshCredential(t) }) },
  { method: 'GET', path: 'audit', permission: 'audit:read', load: () => import('../app/api/v1/audit/route') },
  // registries specs may name (Settings → Registries)
  { method: 'GET', path: 'registries', permission: 'registry:read', load: () => import('../app/api/v1/registries/route') },
  { method: 'POST', path: 'registries', permission: 'registry:write', load: () => import('../app/api/v1/registries/route'), body: () => ({ host: `reg${++serial}.example.org` }) },
  { method: 'DELETE', path: 'registries/[id]', permission: 'registry:write', load: () => import('../app/api/v1/registries/[id]/route'), target: async (t) => ({ id: await freshRegistry(t) }) },
];

let serial = 0;
async function freshMember(t: TeamFx): Promise<string> {
  const user = await prisma.user.create({ data: { name: 'extra', email: `extra-${++serial}-${t.slug}@example.com` } });
  return (await prisma.membership.create({ data: { teamId: t.id, userId: user.id, role: 'viewer' } })).id;
}
async function freshInvitation(t: TeamFx, email: string): Promise<string> {
  const inv = await prisma.invitation.create({
    data: { id: `inv${++serial}x${Math.random().toString(36).slice(2)}`, teamId: t.id, email, role: 'viewer', inviterId: t.users.owner.id, expiresAt: new Date(Date.now() + 86_400_000) },
  });
  return inv.id;
}
async function freshToken(t: TeamFx, owner: Role): Promise<string> {
  const { issueToken } = await import('../src/server/auth/tokens');
  return (await issueToken(prisma, { userId: t.users[owner].id, teamId: t.id, role: owner }, { name: 'to revoke' })).info.id;
}
async function freshPublicEntry(): Promise<string> {
  return (await prisma.catalogEntry.create({ data: { teamId: null, reference: `localhost:5000/oscompose/forkable-${++serial}:1`, name: 'forkable', kind: 'service', title: 'forkable', source: 'starter' } })).id;
}
async function freshRegistry(t: TeamFx): Promise<string> {
  return (await prisma.teamRegistry.create({ data: { teamId: t.id, host: `allowed${++serial}.example.org` } })).id;
}
async function freshCredential(t: TeamFx): Promise<string> {
  const host = `reg${++serial}.example.com`;
  const { sealSecret } = await import('../src/server/auth/secretBox');
  const { serverSecret } = await import('../src/server/auth/serverSecret');
  return (await prisma.registryCredential.create({ data: { teamId: t.id, host, username: 'u', secret: sealSecret('pw', serverSecret()) } })).id;
}

async function call(c: Case, as: Role, target: TeamFx | undefined): Promise<Response> {
  const mod = await c.load();
  const handler = mod[c.method] as (req: Request, ctx: { params: Promise<Params> }) => Promise<Response>;
  expect(handler, `${c.method} ${c.path} is exported`).toBeTypeOf('function');
  const params = c.target && target ? await c.target(target, as) : {};
  let body = c.body?.(target ?? teams.A, as);
  // Routes whose "target" is a body field (compositionId, teamId) send it in the body.
  if (c.path === 'builds (composition)') body = { compositionId: params.compositionId, formats: ['tar'] };
  if (c.path === 'teams/active') body = { teamId: params.teamId };
  if (c.path === 'teams/default-composition' && c.method === 'PUT') body = { compositionId: params.compositionId };
  const ac = new AbortController();
  const req = new Request(`http://localhost:3000/api/v1/${c.path}${c.query ? `?${c.query}` : ''}`, {
    method: c.method,
    headers: { authorization: `Bearer ${teams.A.users[as].token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: ac.signal,
  });
  const res = await handler(req, { params: Promise.resolve(params) });
  // Event streams stay open: the status is all the matrix needs.
  if (res.headers.get('content-type')?.includes('text/event-stream')) {
    ac.abort();
    await res.body?.cancel().catch(() => undefined);
  }
  return res;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-matrix-'));
  process.env.REDIS_URL = (redis = await startRedis()).url;
  process.env.REDIS_PREFIX = 'matrix';
  process.env.OSCOMPOSE_ARTIFACT_STORE = 'local';
  process.env.OSCOMPOSE_ARTIFACT_DIR = path.join(dir, 'artifacts');
  prisma = await useWebDatabase(dir);
  const { setBuildDeps } = await import('../src/server/builds/deps');
  setBuildDeps(undefined);
  teams.A = await makeTeam('A');
  teams.B = await makeTeam('B');
}, 60_000);

afterAll(async () => {
  await closeBuildDeps();
  await redis?.stop();
  await prisma?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('authorization matrix (real handlers, real database, real Redis)', () => {
  for (const c of CASES) {
    for (const role of ROLES) {
      const allowed = can(role, c.permission);
      it(`${c.method} ${c.path} as ${role} of the own team → ${allowed ? 'allowed' : '403'}`, async () => {
        const res = await call(c, role, teams.A);
        const text = res.status >= 400 ? await res.text().catch(() => '') : '';
        if (allowed && c.alsoAllowed?.includes(res.status)) return;
        if (allowed) expect(res.status, `${c.method} ${c.path}: ${text}`).toBeLessThan(400);
        else expect(res.status, text).toBe(403);
      });
      if (c.target) {
        it(`${c.method} ${c.path} as ${role} on the foreign team's object → ${allowed ? '404' : '403'}`, async () => {
          const res = await call(c, role, teams.B);
          expect(res.status).toBe(allowed ? 404 : 403);
        });
      }
    }
  }
});

describe('two teams see only their own objects', () => {
  const list = async (p: string, as: Role = 'viewer') => (await call(CASES.find((c) => c.method === 'GET' && c.path === p)!, as, undefined)).json();

  it('builds, compositions, private catalog entries, members, tokens, audit', async () => {
    const builds = JSON.stringify(await list('builds'));
    expect(builds).toContain(teams.A.doneBuildId);
    expect(builds).not.toContain(teams.B.doneBuildId);

    const comps = JSON.stringify(await list('compositions'));
    expect(comps).toContain(teams.A.compositionId);
    expect(comps).not.toContain(teams.B.compositionId);

    const catalog = JSON.stringify(await list('catalog'));
    expect(catalog).toContain(teams.A.privateCatalogId);
    expect(catalog).not.toContain(teams.B.privateCatalogId);

    const members = JSON.stringify(await list('members'));
    expect(members).toContain(teams.A.users.owner.email);
    expect(members).not.toContain(teams.B.users.owner.email);

    const tokens = JSON.stringify(await list('tokens', 'owner'));
    expect(tokens).not.toContain(teams.B.users.owner.id);

    const audit = (await list('audit', 'owner')) as { action: string; actor: { id: string } | null }[];
    // the matrix above built, canceled, pinned, changed roles and credentials in both teams
    for (const action of ['build.create', 'build.cancel', 'build.pin', 'member.role', 'member.remove', 'credential.set', 'credential.delete', 'token.create', 'registry.add', 'registry.remove']) {
      expect(audit.map((e) => e.action), action).toContain(action);
    }
    expect(JSON.stringify(audit)).not.toContain(teams.B.users.owner.id);
  });

  it('a viewer downloads an artifact but cannot build; a member builds but cannot manage members', async () => {
    const download = CASES.find((c) => c.path === 'builds/[id]/artifacts/[name]')!;
    const res = await call(download, 'viewer', teams.A);
    expect(res.status).toBe(200);
    const build = CASES.find((c) => c.method === 'POST' && c.path === 'builds')!;
    expect((await call(build, 'viewer', teams.A)).status).toBe(403);
    expect((await call(build, 'member', teams.A)).status).toBe(202);
    const manage = CASES.find((c) => c.method === 'PATCH' && c.path === 'members/[id]')!;
    expect((await call(manage, 'member', teams.A)).status).toBe(403);
  });

  it('registry credentials are never returned, and are stored sealed', async () => {
    const put = CASES.find((c) => c.method === 'PUT' && c.path === 'credentials')!;
    const res = await call(put, 'admin', teams.A);
    expect(res.status).toBe(200);
    const listed = JSON.stringify(await list('credentials', 'admin'));
    expect(listed).toContain('registry.example.com');
    expect(listed).not.toContain('s3cret-value');
    const row = await prisma.registryCredential.findFirstOrThrow({ where: { teamId: teams.A.id, host: 'registry.example.com' } });
    expect(row.secret).not.toContain('s3cret-value');
    const { registryAuthForTeam } = await import('../src/server/auth/credentials');
    const { serverSecret } = await import('../src/server/auth/serverSecret');
    expect((await registryAuthForTeam(prisma, teams.A.id, serverSecret()))['registry.example.com']).toEqual({ username: 'ci', password: 's3cret-value' });
  });

  it('a token scoped to build:read cannot create builds even for an owner', async () => {
    const { issueToken } = await import('../src/server/auth/tokens');
    const { token } = await issueToken(prisma, { userId: teams.A.users.owner.id, teamId: teams.A.id, role: 'owner' }, { name: 'read only', scopes: ['build:read'] });
    const { POST } = (await import('../app/api/v1/builds/route')) as { POST: (r: Request) => Promise<Response> };
    const res = await POST(new Request('http://localhost:3000/api/v1/builds', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ spec: SPEC, formats: ['tar'] }) }));
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/limited to build:read/);
  });

  it('no credentials → 401', async () => {
    const { GET } = (await import('../app/api/v1/builds/route')) as { GET: (r: Request) => Promise<Response> };
    expect((await GET(new Request('http://localhost:3000/api/v1/builds'))).status).toBe(401);
  });
});
