// The operator command against a real SQLite database: bootstrap gives a user who can sign in
// with the password (through better-auth) and a token the resolver accepts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, createPrisma, type PrismaClient } from '@oscompose/db';
import { runAdmin } from './admin';
import { createAuth } from './betterAuth';
import { resolveFromRequest } from './resolveCaller';

let dir: string;
let prisma: PrismaClient;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-admin-'));
  const url = `file:${path.join(dir, 'db.sqlite')}`;
  await applyMigrations(url);
  prisma = createPrisma(url);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('operator command', () => {
  it('bootstrap: user with password, team with the user as owner, a working token', async () => {
    const token = (await runAdmin(prisma, 'bootstrap', { email: 'CI@example.com', team: 'ci', password: 'a long password' })).trim();
    expect(token).toMatch(/^osc_/);
    const auth = createAuth(prisma, { secret: 'y'.repeat(40), baseURL: 'http://localhost:3000', provider: 'sqlite' });
    const signIn = await auth.handler(
      new Request('http://localhost:3000/api/auth/sign-in/email', { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' }, body: JSON.stringify({ email: 'ci@example.com', password: 'a long password' }) }),
    );
    expect(signIn.status).toBe(200);
    const caller = await resolveFromRequest(new Request('http://x/', { headers: { authorization: `Bearer ${token}` } }), {
      prisma,
      getSession: async () => null,
      localCaller: async () => {
        throw new Error('not single-user');
      },
    });
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: 'ci' } });
    expect(caller).toMatchObject({ teamId: team.id, role: 'owner', via: 'token' });
  });

  it('creates scoped tokens and changes roles of existing users only', async () => {
    const scoped = (await runAdmin(prisma, 'create-token', { email: 'ci@example.com', scopes: 'build:read,build:create', expires: 'never' })).trim();
    const row = await prisma.apiToken.findFirstOrThrow({ where: { prefix: scoped.slice(0, 12) } });
    expect(JSON.parse(row.scopes)).toEqual(['build:read', 'build:create']);
    expect(row.expiresAt).toBeNull();
    await expect(runAdmin(prisma, 'set-role', { email: 'ghost@example.com', team: 'ci', role: 'admin' })).rejects.toThrow(/no user ghost@example.com/);
    await expect(runAdmin(prisma, 'create-user', { email: 'x@example.com' })).rejects.toThrow(/give a password/);
    await runAdmin(prisma, 'create-user', { email: 'v@example.com', password: 'another password', team: 'ci', role: 'viewer' });
    expect(await runAdmin(prisma, 'set-role', { email: 'v@example.com', team: 'ci', role: 'admin' })).toMatch(/admin of ci/);
  });
});
