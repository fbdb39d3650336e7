// Accounts against a real SQLite database and the real better-auth handler: first-run sign-up
// takes over the seeded team, later sign-ups need an invitation, sessions and tokens resolve.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, createPrisma, type PrismaClient } from '@oscompose/db';
import { createAuth, type Auth } from './betterAuth';
import { forgetAccountsSeen, resolveFromRequest } from './resolveCaller';
import { issueToken, revokeToken } from './tokens';
import type { Caller } from '../auth/caller';

let dir: string;
let prisma: PrismaClient;
let auth: Auth;
const BASE = 'http://localhost:3000';

const local: Caller = { userId: 'local', teamId: 'local-team', role: 'owner', via: 'local' };
const resolve = (req: Request) =>
  resolveFromRequest(req, { prisma, getSession: (headers) => auth.api.getSession({ headers }), localCaller: async () => local });

async function post(pathname: string, body: unknown, cookie?: string): Promise<Response> {
  return auth.handler(
    new Request(BASE + pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: BASE, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    }),
  );
}
const cookieOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-accounts-'));
  const url = `file:${path.join(dir, 'db.sqlite')}`;
  await applyMigrations(url);
  prisma = createPrisma(url);
  auth = createAuth(prisma, { secret: 'x'.repeat(40), baseURL: BASE, provider: 'sqlite' });
  forgetAccountsSeen();
  // What the seed leaves: a local user without password, owner of the Default team.
  const user = await prisma.user.create({ data: { name: 'Local', email: 'local@oscompose.local' } });
  const team = await prisma.team.create({ data: { name: 'Default', slug: 'default' } });
  await prisma.membership.create({ data: { userId: user.id, teamId: team.id, role: 'owner' } });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('accounts', () => {
  let ownerCookie = '';
  let ownerId = '';

  it('runs in single-user mode until the first sign-up', async () => {
    expect(await resolve(new Request(BASE + '/api/v1/builds'))).toEqual(local);
  });

  it('makes the first sign-up owner of the seeded team and signs them in', async () => {
    const res = await post('/api/auth/sign-up/email', { email: 'ada@example.com', password: 'correct horse', name: 'Ada' });
    expect(res.status).toBe(200);
    ownerCookie = cookieOf(res);
    const caller = await resolve(new Request(BASE + '/api/v1/builds', { headers: { cookie: ownerCookie } }));
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: 'default' } });
    expect(caller).toMatchObject({ teamId: team.id, role: 'owner', via: 'session' });
    ownerId = caller!.userId;
    // single-user mode is over: no credentials → no caller
    expect(await resolve(new Request(BASE + '/api/v1/builds'))).toBeNull();
  });

  it('refuses a second sign-up without an invitation, accepts one with', async () => {
    const refused = await post('/api/auth/sign-up/email', { email: 'eve@example.com', password: 'password123', name: 'Eve' });
    expect(refused.status).toBe(403);
    expect(await prisma.user.count({ where: { email: 'eve@example.com' } })).toBe(0);

    const team = await prisma.team.findUniqueOrThrow({ where: { slug: 'default' } });
    await prisma.invitation.create({ data: { teamId: team.id, email: 'bob@example.com', role: 'viewer', inviterId: ownerId, expiresAt: new Date(Date.now() + 86_400_000) } });
    const ok = await post('/api/auth/sign-up/email', { email: 'bob@example.com', password: 'password123', name: 'Bob' });
    expect(ok.status).toBe(200);
    // not a member until the link is accepted
    const bob = await resolve(new Request(BASE + '/x', { headers: { cookie: cookieOf(ok) } }));
    expect(bob).toMatchObject({ teamless: true });
  });

  it('signs in with the password, refuses a wrong one, changes the password', async () => {
    expect((await post('/api/auth/sign-in/email', { email: 'ada@example.com', password: 'wrong password' })).status).toBe(401);
    const res = await post('/api/auth/sign-in/email', { email: 'ada@example.com', password: 'correct horse' });
    expect(res.status).toBe(200);
    const changed = await post('/api/auth/change-password', { currentPassword: 'correct horse', newPassword: 'battery staple', revokeOtherSessions: false }, cookieOf(res));
    expect(changed.status).toBe(200);
    expect((await post('/api/auth/sign-in/email', { email: 'ada@example.com', password: 'correct horse' })).status).toBe(401);
    expect((await post('/api/auth/sign-in/email', { email: 'ada@example.com', password: 'battery staple' })).status).toBe(200);
  });

  it('resolves API tokens; revoked, expired and unknown tokens answer no caller', async () => {
    const owner = (await resolve(new Request(BASE + '/x', { headers: { cookie: ownerCookie } })))!;
    const { token, info } = await issueToken(prisma, owner, { name: 'ci', scopes: ['build:read'] });
    expect(token).toMatch(/^osc_/);
    const stored = await prisma.apiToken.findUniqueOrThrow({ where: { id: info.id } });
    expect(stored.tokenHash).not.toContain(token.slice(4));
    const bearer = (t: string) => new Request(BASE + '/x', { headers: { authorization: `Bearer ${t}` } });
    expect(await resolve(bearer(token))).toMatchObject({ userId: owner.userId, teamId: owner.teamId, role: 'owner', via: 'token', scopes: ['build:read'] });
    expect(await resolve(bearer('osc_' + 'A'.repeat(43)))).toBeNull();
    await revokeToken(prisma, owner, info.id);
    expect(await resolve(bearer(token))).toBeNull();
    const old = await issueToken(prisma, owner, { name: 'old' });
    await prisma.apiToken.update({ where: { id: old.info.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await resolve(bearer(old.token))).toBeNull();
  });

  it('signs out', async () => {
    const res = await post('/api/auth/sign-out', {}, ownerCookie);
    expect(res.status).toBe(200);
    expect(await resolve(new Request(BASE + '/x', { headers: { cookie: ownerCookie } }))).toBeNull();
  });
});

describe('origin check', () => {
  it('accepts same-origin requests at any address and refuses a cross-site Origin', async () => {
    const a = createAuth(prisma, { secret: 'x'.repeat(40), provider: 'sqlite' });
    const at = (origin: string) =>
      a.handler(
        new Request('http://10.0.0.5:3000/api/auth/sign-in/email', {
          method: 'POST',
          headers: { 'content-type': 'application/json', host: '10.0.0.5:3000', origin, cookie: 'x=1' },
          body: JSON.stringify({ email: 'ada@example.com', password: 'battery staple' }),
        }),
      );
    expect((await at('http://10.0.0.5:3000')).status).toBe(200);
    expect((await at('https://evil.example')).status).toBe(403);
  });
});
