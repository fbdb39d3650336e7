import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyMigrations, createPrisma, type PrismaClient } from '@oscompose/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf, ensureLocalOwner, LOCAL_OWNER, seedDatabase, STARTER_TEAM, tagOf, type SeedCatalogEntry } from './seedDatabase';

const dir = mkdtempSync(path.join(tmpdir(), 'oscompose-seed-'));
const url = `file:${path.join(dir, 'seed.db')}`;
let prisma: PrismaClient;

beforeAll(async () => {
  await applyMigrations(url);
  prisma = createPrisma(url);
});
afterAll(async () => {
  await prisma?.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const kernel: SeedCatalogEntry = {
  reference: 'localhost:5000/oscompose/kernel:6.1',
  name: 'kernel',
  kind: 'kernel',
  title: 'Linux kernel',
  description: 'Debian cloud kernel',
  defaultConfig: {},
  pinnedDigest: `sha256:${'a'.repeat(64)}`,
  tags: ['6.1'],
  source: 'starter',
  size: 12_345_678,
};

describe('seedDatabase', () => {
  it('creates public catalog entries and the starter compositions, then is idempotent', async () => {
    const input = { catalog: [kernel], compositions: [{ name: 'minimal', description: 'small', specText: 'kernel: {}\n' }] };
    expect(await seedDatabase(prisma, input)).toEqual({ catalogCreated: 1, catalogUpdated: 0, compositionsCreated: 1, compositionVersionsAdded: 0 });
    expect(await seedDatabase(prisma, input)).toEqual({ catalogCreated: 0, catalogUpdated: 1, compositionsCreated: 0, compositionVersionsAdded: 0 });

    const entry = await prisma.catalogEntry.findFirstOrThrow({ where: { reference: kernel.reference } });
    expect(entry).toMatchObject({ teamId: null, kind: 'kernel', source: 'starter', size: 12_345_678n, pinnedDigest: kernel.pinnedDigest });
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: STARTER_TEAM.slug }, include: { compositions: { include: { versions: true } } } });
    expect(team.compositions).toHaveLength(1);
    expect(team.compositions[0]).toMatchObject({ name: 'minimal', visibility: 'public', latestVersion: 1 });
  });

  it('adds a composition version when the starter spec changes', async () => {
    const r = await seedDatabase(prisma, { catalog: [], compositions: [{ name: 'minimal', description: 'small', specText: 'kernel: {image: x}\n' }] });
    expect(r.compositionVersionsAdded).toBe(1);
    const c = await prisma.composition.findFirstOrThrow({ where: { name: 'minimal' }, include: { versions: { orderBy: { version: 'asc' } } } });
    expect(c.latestVersion).toBe(2);
    expect(c.versions.map((v) => v.specText)).toEqual(['kernel: {}\n', 'kernel: {image: x}\n']);
  });
});

describe('ensureLocalOwner', () => {
  it('gives a fresh install a password-less owner of the Default team, once', async () => {
    expect(await ensureLocalOwner(prisma)).toBe(true);
    const m = await prisma.membership.findFirstOrThrow({ include: { user: true, team: true } });
    expect(m).toMatchObject({ role: 'owner', user: { email: LOCAL_OWNER.email }, team: { slug: 'default' } });
    expect(await prisma.account.count({ where: { userId: m.userId } })).toBe(0);
    // Someone already belongs to a team: nothing more is created.
    expect(await ensureLocalOwner(prisma)).toBe(false);
    expect(await prisma.membership.count()).toBe(1);
  });
});

describe('reference helpers', () => {
  it('reads tags and digests', () => {
    const d = `sha256:${'b'.repeat(64)}`;
    expect(tagOf('linuxkit/kernel:6.6.13')).toBe('6.6.13');
    expect(tagOf(`linuxkit/init:v1.0@${d}`)).toBe('v1.0');
    expect(tagOf('localhost:5000/oscompose/httpd')).toBeNull();
    expect(digestOf(`linuxkit/init:v1.0@${d}`)).toBe(d);
    expect(digestOf('linuxkit/init:v1.0')).toBeNull();
  });
});
