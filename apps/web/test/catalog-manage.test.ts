// Managing the team catalog through the real route handlers on the real SQLite database with real
// API tokens: deprecate / re-pin an entry (PATCH /api/v1/catalog/:id).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '@oscompose/db';
import { addMember, useWebDatabase } from './support/database';

let dir: string;
let prisma: PrismaClient;
const tokens: Record<string, string> = {};
const teamIds: Record<string, string> = {};
let ownEntry: string;
let publicEntry: string;
const DIGEST = `sha256:${'b'.repeat(64)}`;

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(handler: Handler, as: string, url: string, init: { method: string; body?: unknown }, params: Record<string, string> = {}) {
  const req = new Request(`http://localhost:3000${url}`, {
    method: init.method,
    headers: { authorization: `Bearer ${tokens[as]}`, 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const res = await handler(req, { params: Promise.resolve(params) });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> & { error?: { message: string } } };
}

const patch = async (as: string, id: string, body: unknown) => {
  const { PATCH } = await import('../app/api/v1/catalog/[id]/route');
  return call(PATCH as Handler, as, `/api/v1/catalog/${id}`, { method: 'PATCH', body }, { id });
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-catalog-manage-'));
  prisma = await useWebDatabase(dir);
  for (const [slug, role] of [['team-a', 'admin'], ['team-a', 'member'], ['team-b', 'admin']] as const) {
    const team = (await prisma.team.findUnique({ where: { slug } })) ?? (await prisma.team.create({ data: { name: slug, slug } }));
    teamIds[slug] = team.id;
    tokens[`${role}-${slug}`] = (await addMember(prisma, { teamId: team.id, role, name: `${role}-${slug}`, email: `${role}@${slug}.example.com`, tokenName: 'manage test', signedUp: true })).token;
  }
  ownEntry = (await prisma.catalogEntry.create({ data: { teamId: teamIds['team-a']!, reference: 'localhost:5000/team-a/sshd:1', name: 'sshd', kind: 'service', title: 'SSH', source: 'team', pinnedDigest: `sha256:${'a'.repeat(64)}` } })).id;
  publicEntry = (await prisma.catalogEntry.create({ data: { teamId: null, reference: 'localhost:5000/oscompose/getty:1', name: 'getty', kind: 'service', title: 'getty', source: 'starter' } })).id;
}, 60_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('PATCH /api/v1/catalog/:id (deprecate, re-pin)', () => {
  it('deprecates with a note, shown in the list, and records it in the audit log', async () => {
    const r = await patch('admin-team-a', ownEntry, { deprecated: true, deprecationNote: 'use sshd:2' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ deprecated: true, deprecationNote: 'use sshd:2' });
    const { GET } = await import('../app/api/v1/catalog/route');
    const list = await call(GET as Handler, 'member-team-a', '/api/v1/catalog', { method: 'GET' });
    expect((list.body.items as { id: string; deprecated: boolean; deprecationNote: string }[]).find((i) => i.id === ownEntry)).toMatchObject({ deprecated: true, deprecationNote: 'use sshd:2' });
    const audit = await prisma.auditEvent.findMany({ where: { action: 'catalog.deprecate' } });
    expect(audit.map((a) => a.target)).toEqual(['localhost:5000/team-a/sshd:1']);
  });

  it('un-deprecating clears the note', async () => {
    const r = await patch('admin-team-a', ownEntry, { deprecated: false });
    expect(r.body).toMatchObject({ deprecated: false, deprecationNote: '' });
  });

  it('re-pins the digest (audited) and refuses something that is not a digest', async () => {
    const r = await patch('admin-team-a', ownEntry, { pinnedDigest: DIGEST });
    expect(r.status).toBe(200);
    expect(r.body.pinnedDigest).toBe(DIGEST);
    expect((await prisma.catalogEntry.findUnique({ where: { id: ownEntry } }))?.pinnedDigest).toBe(DIGEST);
    expect(await prisma.auditEvent.count({ where: { action: 'catalog.pin' } })).toBe(1);
    const bad = await patch('admin-team-a', ownEntry, { pinnedDigest: 'latest' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/sha256/);
  });

  it('refuses an empty change, a public entry (fork it first), a member, and hides another team\'s entry', async () => {
    expect((await patch('admin-team-a', ownEntry, {})).status).toBe(400);
    const pub = await patch('admin-team-a', publicEntry, { deprecated: true });
    expect(pub.status).toBe(403);
    expect(pub.body.error?.message).toMatch(/fork/);
    expect((await prisma.catalogEntry.findUnique({ where: { id: publicEntry } }))?.deprecated).toBe(false);
    expect((await patch('member-team-a', ownEntry, { deprecated: true })).status).toBe(403);
    expect((await patch('admin-team-b', ownEntry, { deprecated: true })).status).toBe(404);
  });
});

describe('fork a public catalog entry or composition into the team', () => {
  const fork = async (as: string, what: 'catalog' | 'compositions', id: string, body?: unknown) => {
    const mod = what === 'catalog' ? await import('../app/api/v1/catalog/[id]/fork/route') : await import('../app/api/v1/compositions/[id]/fork/route');
    return call(mod.POST as Handler, as, `/api/v1/${what}/${id}/fork`, { method: 'POST', body }, { id });
  };

  it('copies a public catalog entry into the team, where it replaces the public one in the listing and can be deprecated', async () => {
    const r = await fork('admin-team-b', 'catalog', publicEntry);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ reference: 'localhost:5000/oscompose/getty:1', teamId: teamIds['team-b'], source: 'team' });
    const { GET } = await import('../app/api/v1/catalog/route');
    const list = (await call(GET as Handler, 'admin-team-b', '/api/v1/catalog', { method: 'GET' })).body.items as { id: string; reference: string }[];
    expect(list.filter((i) => i.reference === 'localhost:5000/oscompose/getty:1').map((i) => i.id)).toEqual([r.body.id]);
    expect((await patch('admin-team-b', r.body.id as string, { deprecated: true, deprecationNote: 'we use agetty' })).status).toBe(200);
    // Team A still sees the public entry, not deprecated.
    const listA = (await call(GET as Handler, 'member-team-a', '/api/v1/catalog', { method: 'GET' })).body.items as { id: string; deprecated: boolean }[];
    expect(listA.find((i) => i.id === publicEntry)?.deprecated).toBe(false);
    expect((await fork('admin-team-b', 'catalog', publicEntry)).status).toBe(409);
    expect((await fork('admin-team-a', 'catalog', ownEntry)).status).toBe(400);
    expect((await fork('admin-team-b', 'catalog', ownEntry)).status).toBe(404);
  });

  it("forks another team's public composition at its latest version, but not a private one", async () => {
    const spec = 'kernel:\n  image: localhost:5000/oscompose/kernel:6.6\n  cmdline: "console=ttyS0"\n';
    const pub = await prisma.composition.create({ data: { teamId: teamIds['team-b']!, name: 'shared', visibility: 'public', latestVersion: 2, versions: { create: [{ version: 1, specText: 'old: 1\n' }, { version: 2, specText: spec }] } } });
    const priv = await prisma.composition.create({ data: { teamId: teamIds['team-b']!, name: 'secret', visibility: 'team', latestVersion: 1, versions: { create: { version: 1, specText: spec } } } });
    const r = await fork('member-team-a', 'compositions', pub.id, {});
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const copy = await prisma.composition.findUnique({ where: { id: r.body.id as string }, include: { versions: true } });
    expect(copy).toMatchObject({ teamId: teamIds['team-a'], name: 'shared', visibility: 'team', forkedFromId: pub.id });
    expect(copy?.versions.map((v) => [v.version, v.specText, v.message])).toEqual([[1, spec, 'forked from team-b / shared v2']]);
    expect((await fork('member-team-a', 'compositions', priv.id, {})).status).toBe(404);
  });
});

describe('team default composition (GET/PUT /api/v1/teams/default-composition)', () => {
  const route = () => import('../app/api/v1/teams/default-composition/route');
  const get = async (as: string) => call((await route()).GET as Handler, as, '/api/v1/teams/default-composition', { method: 'GET' });
  const put = async (as: string, compositionId: string | null) => call((await route()).PUT as Handler, as, '/api/v1/teams/default-composition', { method: 'PUT', body: { compositionId } });

  it('is none until an admin names one of the team\'s compositions; members then read its latest spec', async () => {
    expect((await get('member-team-a')).body).toEqual({ composition: null });
    const spec = 'kernel:\n  image: localhost:5000/oscompose/kernel:6.6\n';
    const c = await prisma.composition.create({ data: { teamId: teamIds['team-a']!, name: 'house style', latestVersion: 2, versions: { create: [{ version: 1, specText: 'v1: 1\n' }, { version: 2, specText: spec }] } } });
    expect((await put('member-team-a', c.id)).status).toBe(403);
    const set = await put('admin-team-a', c.id);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await get('member-team-a')).body).toEqual({ composition: { id: c.id, name: 'house style', version: 2, spec } });
    expect(await prisma.auditEvent.count({ where: { action: 'team.default-composition', target: c.id } })).toBe(1);
    // Another team sees its own (none) and cannot name team A's composition.
    expect((await get('admin-team-b')).body).toEqual({ composition: null });
    expect((await put('admin-team-b', c.id)).status).toBe(404);
    // A deleted default reads as none; clearing works.
    await prisma.composition.delete({ where: { id: c.id } });
    expect((await get('member-team-a')).body).toEqual({ composition: null });
    expect((await put('admin-team-a', null)).body).toEqual({ composition: null });
    expect((await prisma.team.findUnique({ where: { id: teamIds['team-a']! } }))?.defaultCompositionId).toBeNull();
  });
});
