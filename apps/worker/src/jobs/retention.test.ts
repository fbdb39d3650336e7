import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '@oscompose/storage';
import { createTestDb, type TestDb } from '@oscompose/queue/testing';
import { sweepRetention } from './retention';

let dir: string;
let t: TestDb;
let store: LocalArtifactStore;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-retention-'));
  t = await createTestDb(dir);
  store = new LocalArtifactStore(path.join(dir, 'artifacts'));
  await writeFile(path.join(dir, 'f'), 'bytes');
});
afterAll(async () => {
  await t?.db.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

async function build(daysAgo: number, opts: { pinned?: boolean; key?: string; cachedFrom?: string } = {}) {
  const b = await t.db.build.create({
    data: { teamId: t.teamId, specText: 'x', specHash: 'h', status: 'succeeded', finishedAt: new Date(Date.now() - daysAgo * 86_400_000), pinned: opts.pinned ?? false, cachedFromId: opts.cachedFrom ?? null },
  });
  const key = opts.key ?? `builds/${b.id}/a`;
  if (!opts.key) await store.put(key, path.join(dir, 'f'));
  await t.db.artifact.create({ data: { buildId: b.id, name: 'a', format: 'tar', size: 5n, sha256: 'x', storageKey: key } });
  return { id: b.id, key };
}

describe('sweepRetention', () => {
  it('removes old unpinned artifacts (rows and files), keeps pinned ones and objects a newer cached build uses', async () => {
    const old = await build(40);
    const pinned = await build(40, { pinned: true });
    const shared = await build(40);
    const cached = await build(1, { key: shared.key, cachedFrom: shared.id });
    const plan = await sweepRetention(t.db, store, { keepDays: 30, keepLast: 0 });
    expect(plan.expiredBuildIds.sort()).toEqual([old.id, shared.id].sort());
    expect(await store.stat(old.key)).toBeNull();
    expect(await t.db.artifact.count({ where: { buildId: old.id } })).toBe(0);
    expect(await store.stat(pinned.key)).not.toBeNull();
    expect(await store.stat(shared.key)).not.toBeNull(); // the cached build still points at it
    expect(await t.db.artifact.count({ where: { buildId: cached.id } })).toBe(1);
  });
});
