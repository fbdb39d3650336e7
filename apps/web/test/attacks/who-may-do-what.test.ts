// Who may do what, written out by hand: for the key routes, the status each caller gets — nobody
// signed in, a viewer, member, admin and owner of team A, and a member and an admin of team B
// using team A's ids. The authorization matrix (../authorization-matrix.test.ts) derives its
// expectations from the permission table; this one does not, so a wrong entry in that table (or
// a route that names the wrong permission, or a service that forgets the team) fails here.
// Real route handlers, real API tokens, a real SQLite database and a real redis-server.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBuildDeps } from '../support/buildDeps';
import type { PrismaClient } from '@oscompose/db';
import { addMember, useWebDatabase } from '../support/database';
import { startRedis, type RedisServer } from '@oscompose/queue/testing';

type Who = 'anonymous' | 'viewer' | 'member' | 'admin' | 'owner' | 'B member' | 'B admin';
const WHO: Who[] = ['anonymous', 'viewer', 'member', 'admin', 'owner', 'B member', 'B admin'];

const SPEC = 'kernel:\n  image: localhost:5000/oscompose/kernel:6.6\n  cmdline: console=ttyS0\ninit:\n  - localhost:5000/oscompose/init:1\n';

interface Row {
  route: string;
  /** Statuses in WHO order; null: does not apply (the route names no object of team A). */
  expect: (number | null)[];
  call: (token: string | undefined) => Promise<Response>;
}

let dir: string;
let redis: RedisServer;
let prisma: PrismaClient;
const tokens = {} as Record<Exclude<Who, 'anonymous'>, string>;
const A = { teamId: '', ownerId: '', viewerMembershipId: '', compositionId: '', catalogId: '', buildId: '' };
let serial = 0;

async function handler(load: () => Promise<Record<string, unknown>>, method: string) {
  return (await load())[method] as (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
}
function request(url: string, method: string, token: string | undefined, body?: unknown): Request {
  return new Request(`http://localhost:3000/api/v1/${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}
const on = (load: () => Promise<Record<string, unknown>>, method: string, url: string, params: (() => Promise<Record<string, string>> | Record<string, string>) | Record<string, string> = {}, body?: () => unknown) =>
  async (token: string | undefined) => (await handler(load, method))(request(url, method, token, body?.()), { params: Promise.resolve(typeof params === 'function' ? await params() : params) });

async function queuedBuild(): Promise<string> {
  return (await prisma.build.create({ data: { teamId: A.teamId, specText: SPEC, specHash: 'h', formats: '["tar"]', status: 'queued' } })).id;
}

// ------------------------------------------------------------------------------------------------
//                                                   anon  viewer member admin owner  B mem  B adm
const TABLE: Row[] = [
  { route: 'POST builds (spec)', expect:            [401,  403,   202,   202,  202,   null,  null],
    call: on(() => import('../../app/api/v1/builds/route'), 'POST', 'builds', {}, () => ({ spec: SPEC, formats: ['tar'] })) },
  { route: 'POST builds (A\'s composition)', expect: [401,  403,   202,   202,  202,   404,   404],
    call: on(() => import('../../app/api/v1/builds/route'), 'POST', 'builds', {}, () => ({ compositionId: A.compositionId, formats: ['tar'] })) },
  { route: 'GET builds/:id', expect:                [401,  200,   200,   200,  200,   404,   404],
    call: on(() => import('../../app/api/v1/builds/[id]/route'), 'GET', 'builds/x', () => ({ id: A.buildId })) },
  { route: 'POST builds/:id/cancel', expect:        [401,  403,   202,   202,  202,   404,   404],
    call: on(() => import('../../app/api/v1/builds/[id]/cancel/route'), 'POST', 'builds/x/cancel', async () => ({ id: await queuedBuild() })) },
  { route: 'GET builds/:id/artifacts/:name', expect:[401,  200,   200,   200,  200,   404,   404],
    call: on(() => import('../../app/api/v1/builds/[id]/artifacts/[name]/route'), 'GET', 'builds/x/artifacts/linuxkit.tar', () => ({ id: A.buildId, name: 'linuxkit.tar' })) },
  { route: 'GET compositions/:id', expect:          [401,  200,   200,   200,  200,   404,   404],
    call: on(() => import('../../app/api/v1/compositions/[id]/route'), 'GET', 'compositions/x', () => ({ id: A.compositionId })) },
  { route: 'PUT compositions/:id', expect:          [401,  403,   200,   200,  200,   404,   404],
    call: on(() => import('../../app/api/v1/compositions/[id]/route'), 'PUT', 'compositions/x', () => ({ id: A.compositionId }), () => ({ description: `edit ${++serial}` })) },
  { route: 'PATCH catalog/:id', expect:             [401,  403,   403,   200,  200,   403,   404],
    call: on(() => import('../../app/api/v1/catalog/[id]/route'), 'PATCH', 'catalog/x', () => ({ id: A.catalogId }), () => ({ deprecated: true, deprecationNote: 'old' })) },
  // The registry policy refuses the loopback reference (422) once the caller may add at all.
  { route: 'POST catalog (by reference)', expect:   [401,  403,   403,   422,  422,   null,  null],
    call: on(() => import('../../app/api/v1/catalog/route'), 'POST', 'catalog', {}, () => ({ reference: '127.0.0.1:9/x/y:1', kind: 'service' })) },
  { route: 'GET credentials', expect:               [401,  403,   403,   200,  200,   null,  null],
    call: on(() => import('../../app/api/v1/credentials/route'), 'GET', 'credentials') },
  { route: 'PUT credentials', expect:               [401,  403,   403,   200,  200,   null,  null],
    call: on(() => import('../../app/api/v1/credentials/route'), 'PUT', 'credentials', {}, () => ({ host: 'registry.example.com', username: 'ci', secret: 'pw' })) },
  { route: 'DELETE credentials/:id', expect:        [401,  403,   403,   204,  204,   403,   404],
    call: on(() => import('../../app/api/v1/credentials/[id]/route'), 'DELETE', 'credentials/x', async () => ({ id: (await prisma.registryCredential.create({ data: { teamId: A.teamId, host: `r${++serial}.example.com`, username: 'u', secret: 'sealed' } })).id })) },
  { route: 'GET registries', expect:                [401,  200,   200,   200,  200,   null,  null],
    call: on(() => import('../../app/api/v1/registries/route'), 'GET', 'registries') },
  { route: 'POST registries', expect:               [401,  403,   403,   201,  201,   null,  null],
    call: on(() => import('../../app/api/v1/registries/route'), 'POST', 'registries', {}, () => ({ host: `mirror${++serial}.example.org` })) },
  { route: 'DELETE registries/:id', expect:         [401,  403,   403,   204,  204,   403,   404],
    call: on(() => import('../../app/api/v1/registries/[id]/route'), 'DELETE', 'registries/x', async () => ({ id: (await prisma.teamRegistry.create({ data: { teamId: A.teamId, host: `gone${++serial}.example.org` } })).id })) },
  { route: 'POST tokens', expect:                   [401,  201,   201,   201,  201,   null,  null],
    call: on(() => import('../../app/api/v1/tokens/route'), 'POST', 'tokens', {}, () => ({ name: `t${++serial}` })) },
  // Someone else's token: only admins of its team may revoke it; others are told it is not there.
  { route: 'DELETE tokens/:id (the owner\'s)', expect: [401, 404,   404,   204,  204,   404,   404],
    call: on(() => import('../../app/api/v1/tokens/[id]/route'), 'DELETE', 'tokens/x', async () => ({ id: await ownerToken() })) },
  { route: 'GET members', expect:                   [401,  200,   200,   200,  200,   null,  null],
    call: on(() => import('../../app/api/v1/members/route'), 'GET', 'members') },
  { route: 'PATCH members/:id (a viewer → member)', expect: [401, 403, 403,   200,  200,   403,   404],
    call: on(() => import('../../app/api/v1/members/[id]/route'), 'PATCH', 'members/x', async () => ({ id: await freshViewer() }), () => ({ role: 'member' })) },
];

async function ownerToken(): Promise<string> {
  const { issueToken } = await import('../../src/server/auth/tokens');
  return (await issueToken(prisma, { userId: A.ownerId, teamId: A.teamId, role: 'owner' }, { name: `owner's ${++serial}` })).info.id;
}
async function freshViewer(): Promise<string> {
  const user = await prisma.user.create({ data: { name: 'v', email: `v${++serial}@a.example.com` } });
  return (await prisma.membership.create({ data: { teamId: A.teamId, userId: user.id, role: 'viewer' } })).id;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-who-'));
  redis = await startRedis();
  Object.assign(process.env, { REDIS_URL: redis.url, REDIS_PREFIX: 'who', OSCOMPOSE_ARTIFACT_STORE: 'local', OSCOMPOSE_ARTIFACT_DIR: path.join(dir, 'artifacts'), OSCOMPOSE_DATA_DIR: dir });
  prisma = await useWebDatabase(dir);
  const team = async (slug: string, roles: ('viewer' | 'member' | 'admin' | 'owner')[], prefix: string) => {
    const t = await prisma.team.create({ data: { name: slug, slug } });
    for (const role of roles) {
      const { userId, token } = await addMember(prisma, { teamId: t.id, role, name: `${prefix}${role}`, email: `${role}@${slug}.example.com`, tokenName: 'who', signedUp: true });
      tokens[`${prefix}${role}` as keyof typeof tokens] = token;
      if (role === 'owner' && !prefix) A.ownerId = userId;
    }
    return t.id;
  };
  A.teamId = await team('team-a', ['viewer', 'member', 'admin', 'owner'], '');
  const bTeam = await team('team-b', ['member', 'admin'], 'B ');
  A.compositionId = (await prisma.composition.create({ data: { teamId: A.teamId, name: 'a', latestVersion: 1, versions: { create: { version: 1, specText: SPEC } } } })).id;
  A.catalogId = (await prisma.catalogEntry.create({ data: { teamId: A.teamId, reference: 'registry.example.com/a/private:1', name: 'private', kind: 'service', title: 'private', source: 'team' } })).id;
  const body = Buffer.from('artifact of team A\n');
  const build = await prisma.build.create({ data: { teamId: A.teamId, specText: SPEC, specHash: 'h', formats: '["tar"]', status: 'succeeded', finishedAt: new Date() } });
  A.buildId = build.id;
  await mkdir(path.join(dir, 'artifacts', 'builds', build.id), { recursive: true });
  await writeFile(path.join(dir, 'artifacts', 'builds', build.id, 'linuxkit.tar'), body);
  await prisma.artifact.create({ data: { buildId: build.id, format: 'tar', name: 'linuxkit.tar', size: BigInt(body.length), sha256: createHash('sha256').update(body).digest('hex'), storageKey: `builds/${build.id}/linuxkit.tar` } });
  expect(bTeam).not.toBe(A.teamId);
}, 120_000);

afterAll(async () => {
  await closeBuildDeps();
  await redis?.stop();
  await prisma?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('who may do what (hand-written; team B uses team A\'s ids)', () => {
  for (const row of TABLE) {
    WHO.forEach((who, i) => {
      const want = row.expect[i];
      if (want === null || want === undefined) return;
      it(`${row.route} as ${who} → ${want}`, async () => {
        const res = await row.call(who === 'anonymous' ? undefined : tokens[who]);
        const text = res.status !== want ? await res.text() : '';
        expect(res.status, text).toBe(want);
        // A refusal never shows team A's object to someone outside it.
        if (who.startsWith('B ') && res.status >= 400) {
          const body = text || (await res.text());
          expect(body).not.toContain('team A');
        }
      });
    });
  }

  it('a 404 for team A\'s ids reads the same as for ids that do not exist', async () => {
    const real = await handler(() => import('../../app/api/v1/builds/[id]/route'), 'GET');
    const theirs = await real(request('builds/x', 'GET', tokens['B admin']), { params: Promise.resolve({ id: A.buildId }) });
    const none = await real(request('builds/x', 'GET', tokens['B admin']), { params: Promise.resolve({ id: 'c0000000000000000000000000' }) });
    const strip = async (r: Response) => (await r.text()).replace(/[a-z0-9]{20,}/g, 'ID');
    expect(theirs.status).toBe(404);
    expect(await strip(theirs)).toBe(await strip(none));
  });
});
