// Single-user mode against a real SQLite database: the caller is the first membership.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyMigrations, type PrismaClient } from '@oscompose/db';

let dir: string;
// The web app's own client (server/db.ts), the one localCaller reads with.
let prisma: PrismaClient;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-caller-'));
  process.env.DATABASE_URL = `file:${path.join(dir, 'db.sqlite')}`;
  await applyMigrations(process.env.DATABASE_URL);
  prisma = (await import('../db')).db();
});
afterAll(async () => {
  await prisma.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('localCaller (single-user mode)', () => {
  it('says how to seed when there is no user, then resolves the seeded owner', async () => {
    const { localCaller } = await import('./resolveCaller');
    await expect(localCaller()).rejects.toThrow(/npm start/);
    const db = prisma;
    const user = await db.user.create({ data: { name: 'Local', email: 'local@oscompose.local' } });
    const team = await db.team.create({ data: { name: 'Default', slug: 'default' } });
    await db.membership.create({ data: { userId: user.id, teamId: team.id, role: 'owner' } });
    expect(await localCaller()).toEqual({ userId: user.id, teamId: team.id, role: 'owner', via: 'local' });
  });

  it('grants a membership role it does not know as viewer, never more (as for tokens and sessions)', async () => {
    await prisma.membership.updateMany({ data: { role: 'superuser' } });
    vi.resetModules(); // the local caller is looked up once per process
    const { localCaller } = await import('./resolveCaller');
    expect((await localCaller()).role).toBe('viewer');
  });
});
