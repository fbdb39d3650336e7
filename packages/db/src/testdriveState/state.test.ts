// The testdrive status writer on a real SQLite database: a worker run claims, a user's stop wins
// over a run that ends later, extends add up and stop at the cap, only the owning run writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, createPrisma, type PrismaClient } from '../index';
import { buildState } from '../buildState';
import { testdriveState } from './state';
import { TESTDRIVE_STATUSES, TESTDRIVE_TRANSITIONS, testdriveStatusesBefore } from './status';

const tmp = mkdtempSync(path.join(tmpdir(), 'oscompose-testdrivestate-'));
const url = `file:${path.join(tmp, 'test.db')}`;
let db: PrismaClient;
let buildId: string;

beforeAll(async () => {
  await applyMigrations(url);
  db = createPrisma(url);
  const teamId = (await db.team.create({ data: { name: 'T', slug: 't' } })).id;
  buildId = (await buildState.create(db, { teamId, specText: 's', specHash: 'h' })).id;
});

afterAll(async () => {
  await db?.$disconnect();
  rmSync(tmp, { recursive: true, force: true });
});

const newTestdrive = (limitSeconds = 900) => testdriveState.create(db, { buildId, format: 'kernel+initrd', memoryMb: 512, cpus: 1, limitSeconds });
const row = (id: string) => db.testdrive.findUniqueOrThrow({ where: { id } });

describe('testdriveState', () => {
  it('final statuses have no way out; stopped is reachable from queued and running', () => {
    for (const s of TESTDRIVE_STATUSES) if (s === 'stopped' || s === 'failed') expect(TESTDRIVE_TRANSITIONS[s]).toEqual([]);
    expect(testdriveStatusesBefore('stopped')).toEqual(['queued', 'running']);
    expect(testdriveStatusesBefore('running')).toEqual(['queued']);
  });

  it('a run claims a queued testdrive once, with its time limit from now', async () => {
    const t = await newTestdrive(600);
    expect(t.status).toBe('queued');
    const now = new Date('2026-12-04T03:00:00Z');
    expect(await testdriveState.claim(db, t.id, 'w1#0', now)).toBe(true);
    expect(await testdriveState.claim(db, t.id, 'w2#0', now)).toBe(false);
    const r = await row(t.id);
    expect(r).toMatchObject({ status: 'running', workerId: 'w1#0', startedAt: now });
    expect(r.expiresAt!.getTime() - now.getTime()).toBe(600_000);
    expect(await testdriveState.recordForwards(db, t.id, 'w2#0', [{ guest: 80, host: 1 }])).toBe(false);
    expect(await testdriveState.recordForwards(db, t.id, 'w1#0', [{ guest: 80, host: 4000 }])).toBe(true);
    expect(JSON.parse((await row(t.id)).forwards!)).toEqual([{ guest: 80, host: 4000 }]);
  });

  it('a stop before any worker claimed it means no VM is ever started', async () => {
    const t = await newTestdrive();
    expect(await testdriveState.stop(db, t.id)).toBe(true);
    expect(await testdriveState.claim(db, t.id, 'w1#0')).toBe(false);
    expect(await row(t.id)).toMatchObject({ status: 'stopped', endReason: 'user', workerId: null });
  });

  it("the user's stop wins over a run ending later; the run still keeps the transcript", async () => {
    const t = await newTestdrive();
    await testdriveState.claim(db, t.id, 'w1#0');
    expect(await testdriveState.stop(db, t.id, 'user')).toBe(true);
    expect(await testdriveState.stop(db, t.id, 'user')).toBe(false);
    expect(await testdriveState.endOwned(db, t.id, 'w1#0', 'stopped', { endReason: 'guest-exited' })).toBe(false);
    expect(await testdriveState.recordTranscript(db, t.id, 'w9#0', 'k')).toBe(false);
    expect(await testdriveState.recordTranscript(db, t.id, 'w1#0', 'builds/b/testdrive.log')).toBe(true);
    expect(await row(t.id)).toMatchObject({ status: 'stopped', endReason: 'user', transcriptKey: 'builds/b/testdrive.log' });
  });

  it('only the owning run ends a running testdrive', async () => {
    const t = await newTestdrive();
    await testdriveState.claim(db, t.id, 'w1#0');
    expect(await testdriveState.endOwned(db, t.id, 'w2#0', 'failed', { endReason: 'error', error: 'x' })).toBe(false);
    expect(await testdriveState.endOwned(db, t.id, 'w1#0', 'stopped', { endReason: 'time-limit' })).toBe(true);
    expect(await testdriveState.fail(db, t.id, 'orphan')).toBe(false);
    expect(await row(t.id)).toMatchObject({ status: 'stopped', endReason: 'time-limit', error: null });
  });

  it('extends add up (also when two run at once) and stop at the cap; an ended one is not extended', async () => {
    const t = await newTestdrive(60);
    const now = new Date();
    await testdriveState.claim(db, t.id, 'w1#0', now);
    const [a, b] = await Promise.all([testdriveState.extend(db, t.id, 60), testdriveState.extend(db, t.id, 60)]);
    expect([a, b].every(Boolean)).toBe(true);
    expect((await row(t.id)).expiresAt!.getTime() - now.getTime()).toBe(180_000);
    const capped = await testdriveState.extend(db, t.id, 3600, 240);
    expect(capped!.getTime() - now.getTime()).toBe(240_000);
    await testdriveState.stop(db, t.id);
    expect(await testdriveState.extend(db, t.id, 60)).toBeNull();
  });
});
