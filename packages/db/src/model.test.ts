// The data model on both databases: SQLite (temp file) and PostgreSQL (TEST_POSTGRES_URL, a fresh
// schema per run). Checks what the app relies on: relations, unique rules, cascades, BigInt sizes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, createPrisma, installationId, installationRedisPrefix, isUniqueViolation, postgresTarget, type PrismaClient } from './index';

const POSTGRES_URL = process.env.TEST_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/test';
const schema = `oscompose_test_${process.pid}_${Date.now().toString(36)}`;
const tmp = mkdtempSync(path.join(tmpdir(), 'oscompose-db-'));

const targets = [
  { name: 'sqlite', url: `file:${path.join(tmp, 'test.db')}` },
  { name: 'postgres', url: `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}` },
];

afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: postgresTarget(POSTGRES_URL).connectionString });
  await client.connect().catch(() => undefined);
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await client.end().catch(() => undefined);
});

describe.each(targets)('data model on $name', ({ name, url }) => {
  let db: PrismaClient;

  beforeAll(async () => {
    try {
      const applied = await applyMigrations(url);
      expect(applied.length).toBeGreaterThan(0);
    } catch (err) {
      throw new Error(
        `${name}: ${(err as Error).message}\n` +
          (name === 'postgres'
            ? `The PostgreSQL tests need a server: set TEST_POSTGRES_URL (default ${POSTGRES_URL}), ` +
              `or run .ci/run, which starts one.`
            : ''),
      );
    }
    db = createPrisma(url);
  });

  afterAll(async () => {
    await db?.$disconnect();
  });

  it('applies migrations once', async () => {
    expect(await applyMigrations(url)).toEqual([]);
  });

  it('stores a team with members, compositions, versions, builds and artifacts', async () => {
    const owner = await db.user.create({ data: { name: 'Ada', email: `ada-${name}@example.com` } });
    const team = await db.team.create({
      data: { name: 'Platform', slug: `platform-${name}`, memberships: { create: { userId: owner.id, role: 'owner' } } },
    });
    const composition = await db.composition.create({
      data: {
        teamId: team.id,
        name: 'minimal host',
        createdById: owner.id,
        latestVersion: 2,
        versions: {
          create: [
            { version: 1, specText: 'kernel: {}\n', authorId: owner.id },
            { version: 2, specText: 'kernel: {image: x}\n', authorId: owner.id, message: 'pin kernel' },
          ],
        },
      },
      include: { versions: { orderBy: { version: 'asc' } } },
    });
    expect(composition.versions.map((v) => v.version)).toEqual([1, 2]);

    // Versions are unique per composition.
    const duplicate = await db.compositionVersion
      .create({ data: { compositionId: composition.id, version: 2, specText: 'dup' } })
      .catch((err: unknown) => err);
    expect(isUniqueViolation(duplicate)).toBe(true);

    const big = 5n * 1024n * 1024n * 1024n; // a 5 GiB raw disk does not fit in 32 bits
    const build = await db.build.create({
      data: {
        teamId: team.id,
        compositionVersionId: composition.versions[1]!.id,
        specText: composition.versions[1]!.specText,
        specHash: 'sha256:abc',
        formats: JSON.stringify(['kernel+initrd', 'raw-bios']),
        requesterId: owner.id,
        artifacts: {
          create: [
            { format: 'kernel+initrd', name: 'linuxkit-kernel', size: 1234n, sha256: 'a'.repeat(64), storageKey: 'b/1/kernel' },
            { format: 'raw-bios', name: 'linuxkit.raw', size: big, sha256: 'b'.repeat(64), storageKey: 'b/1/raw' },
          ],
        },
        events: { create: [{ seq: 1, type: 'log', payload: '{"line":"hello"}' }, { seq: 2, type: 'status', payload: '{}' }] },
      },
      include: { artifacts: { orderBy: { name: 'asc' } }, events: { orderBy: { seq: 'asc' } } },
    });
    expect(build.status).toBe('queued');
    expect(build.queuedAt).toBeInstanceOf(Date);
    expect(build.artifacts.map((a) => a.size)).toEqual([1234n, big]);
    expect(build.events.map((e) => e.seq)).toEqual([1, 2]);

    const loaded = await db.team.findUniqueOrThrow({
      where: { slug: `platform-${name}` },
      include: { memberships: { include: { user: true } }, builds: true, compositions: true },
    });
    expect(loaded.memberships[0]!.user.email).toBe(`ada-${name}@example.com`);
    expect(loaded.builds).toHaveLength(1);
  });

  it('keeps builds when their composition is deleted, and deletes everything with the team', async () => {
    const team = await db.team.create({ data: { name: 'Tmp', slug: `tmp-${name}` } });
    const composition = await db.composition.create({
      data: { teamId: team.id, name: 'c', versions: { create: { version: 1, specText: 's' } } },
      include: { versions: true },
    });
    const build = await db.build.create({
      data: {
        teamId: team.id,
        compositionVersionId: composition.versions[0]!.id,
        specText: 's',
        specHash: 'h',
        artifacts: { create: { format: 'iso-bios', name: 'x.iso', size: 1n, sha256: 'c'.repeat(64), storageKey: 'k' } },
      },
    });
    await db.composition.delete({ where: { id: composition.id } });
    const kept = await db.build.findUniqueOrThrow({ where: { id: build.id }, include: { artifacts: true } });
    expect(kept.compositionVersionId).toBeNull();
    expect(kept.specText).toBe('s');
    expect(kept.artifacts).toHaveLength(1);

    await db.team.delete({ where: { id: team.id } });
    expect(await db.build.findUnique({ where: { id: build.id } })).toBeNull();
    expect(await db.artifact.count({ where: { buildId: build.id } })).toBe(0);
  });

  it('keeps audit events and builds when a user is deleted, and drops their sessions and tokens', async () => {
    const user = await db.user.create({ data: { name: 'Bo', email: `bo-${name}@example.com` } });
    const team = await db.team.create({ data: { name: 'T2', slug: `t2-${name}` } });
    await db.session.create({ data: { userId: user.id, token: `tok-${name}`, expiresAt: new Date(Date.now() + 3600_000) } });
    await db.account.create({ data: { userId: user.id, accountId: user.id, providerId: 'credential', password: 'hash' } });
    await db.apiToken.create({
      data: { userId: user.id, teamId: team.id, name: 'ci', tokenHash: `hash-${name}`, prefix: 'osc_ab' },
    });
    const build = await db.build.create({ data: { teamId: team.id, specText: 's', specHash: 'h', requesterId: user.id } });
    const event = await db.auditEvent.create({ data: { teamId: team.id, actorId: user.id, action: 'build.create', target: build.id } });

    await db.user.delete({ where: { id: user.id } });
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.account.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.apiToken.count({ where: { userId: user.id } })).toBe(0);
    expect((await db.build.findUniqueOrThrow({ where: { id: build.id } })).requesterId).toBeNull();
    expect((await db.auditEvent.findUniqueOrThrow({ where: { id: event.id } })).actorId).toBeNull();
  });

  it('has public and team catalog entries, unique per team and reference', async () => {
    const team = await db.team.create({ data: { name: 'Cat', slug: `cat-${name}` } });
    const ref = 'localhost:5000/oscompose/busybox:1.36';
    await db.catalogEntry.create({ data: { reference: ref, name: 'busybox', kind: 'onboot', title: 'BusyBox', source: 'starter' } });
    await db.catalogEntry.create({ data: { teamId: team.id, reference: ref, name: 'busybox', kind: 'onboot', title: 'Ours' } });
    await expect(
      db.catalogEntry.create({ data: { teamId: team.id, reference: ref, name: 'busybox', kind: 'onboot', title: 'Again' } }),
    ).rejects.toThrow();
    const visible = await db.catalogEntry.findMany({ where: { reference: ref, OR: [{ teamId: null }, { teamId: team.id }] } });
    expect(visible.map((e) => e.title).sort()).toEqual(['BusyBox', 'Ours']);
    const entry = visible.find((e) => e.teamId === null)!;
    expect(JSON.parse(entry.tags)).toEqual([]);
    expect(JSON.parse(entry.architectures)).toEqual(['amd64']);
  });

  it('has one installation id, created once even when processes race for it', async () => {
    const other = createPrisma(url);
    try {
      const ids = await Promise.all([installationId(db), installationId(other), installationId(db), installationId(other)]);
      expect(ids[0]).toMatch(/^[0-9a-f]{12}$/);
      expect(new Set(ids).size).toBe(1);
      expect(await db.installation.count()).toBe(1);
      expect(await installationRedisPrefix(db)).toBe(`oscompose:${ids[0]}`);
      expect(await installationRedisPrefix(db, 'mine')).toBe('mine');
    } finally {
      await other.$disconnect();
    }
  });
});
