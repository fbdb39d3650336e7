// The build status writer and the event appender on a real SQLite database: the fencing rule
// (only the run that owns a build may move it), races between a cancel and a finishing run, and
// two writers appending to one event sequence.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, createPrisma, type PrismaClient } from '../index';
import { appendBuildEvent, buildEventStore } from './events';
import { buildState, LostOwnershipError } from './state';

const tmp = mkdtempSync(path.join(tmpdir(), 'oscompose-buildstate-'));
const url = `file:${path.join(tmp, 'test.db')}`;
let db: PrismaClient;
let teamId: string;

beforeAll(async () => {
  await applyMigrations(url);
  db = createPrisma(url);
  teamId = (await db.team.create({ data: { name: 'T', slug: 't' } })).id;
});

afterAll(async () => {
  await db?.$disconnect();
  rmSync(tmp, { recursive: true, force: true });
});

const newBuild = () => buildState.create(db, { teamId, specText: 's', specHash: 'h' });
const status = async (id: string) => (await db.build.findUniqueOrThrow({ where: { id } })).status;

describe('buildState', () => {
  it('creates queued builds, claims them, and finishes only for the run that owns them', async () => {
    const b = await newBuild();
    expect(b.status).toBe('queued');
    expect(await buildState.claim(db, b.id, 'w1#0', { startedAt: new Date() })).toBe(true);
    // A re-delivered job takes it over; the first run's writes no longer apply.
    expect(await buildState.claim(db, b.id, 'w2#1', { startedAt: new Date() })).toBe(true);
    await expect(buildState.record(db, b.id, 'w1#0', { cacheKey: 'k' })).rejects.toBeInstanceOf(LostOwnershipError);
    expect(await buildState.moveOwned(db, b.id, 'w1#0', 'failed', { error: 'x' })).toBe(false);
    await buildState.finishOwned(db, b.id, 'w2#1', 'succeeded');
    const row = await db.build.findUniqueOrThrow({ where: { id: b.id } });
    expect([row.status, row.attempts, row.error, row.finishedAt instanceof Date]).toEqual(['succeeded', 2, null, true]);
  });

  it('a cancel wins over a run that finishes later, and a final build is never moved again', async () => {
    const b = await newBuild();
    await buildState.claim(db, b.id, 'w1#0', { startedAt: new Date() });
    expect(await buildState.cancel(db, b.id)).toBe(true);
    await expect(db.$transaction((tx) => buildState.finishOwned(tx, b.id, 'w1#0', 'succeeded'))).rejects.toBeInstanceOf(LostOwnershipError);
    expect(await buildState.claim(db, b.id, 'w2#0', { startedAt: new Date() })).toBe(false);
    expect(await buildState.failOrphan(db, b.id, 'lost')).toBe(false);
    expect(await buildState.requeueOrphan(db, b.id)).toBe(false);
    expect(await buildState.cancel(db, b.id)).toBe(false);
    expect(await status(b.id)).toBe('canceled');
  });

  it('hands a running build back to the queue, and fails or requeues orphans', async () => {
    const a = await newBuild();
    await buildState.claim(db, a.id, 'w1#0', { startedAt: new Date() });
    expect(await buildState.moveOwned(db, a.id, 'w1#0', 'queued')).toBe(true);
    expect(await status(a.id)).toBe('queued');
    expect((await db.build.findUniqueOrThrow({ where: { id: a.id } })).finishedAt).toBeNull();
    expect(await buildState.requeueOrphan(db, a.id)).toBe(true);
    expect(await buildState.failOrphan(db, a.id, 'its job failed; submit it again.')).toBe(true);
    expect(await db.build.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ status: 'failed', error: 'its job failed; submit it again.' });
  });
});

describe('buildEventStore', () => {
  it('keeps one sequence when two writers append: a taken seq is renumbered, nothing is lost', async () => {
    const b = await newBuild();
    const store = buildEventStore(db);
    // The worker numbered its batch from seq 0, but the web app appended a status event first.
    const web = await appendBuildEvent(store, b.id, 'status', { status: 'canceled' });
    expect(web.seq).toBe(0);
    const rows = ['a', 'b'].map((m, i) => ({ buildId: b.id, seq: i, time: new Date().toISOString(), type: 'log', data: { message: m } }));
    const stored = await store.insert(rows);
    expect(stored.map((r) => r.seq)).toEqual([1, 2]);
    const all = await db.buildEvent.findMany({ where: { buildId: b.id }, orderBy: { seq: 'asc' } });
    expect(all.map((e) => [e.seq, e.type, JSON.parse(e.payload)])).toEqual([
      [0, 'status', { status: 'canceled' }],
      [1, 'log', { message: 'a' }],
      [2, 'log', { message: 'b' }],
    ]);
    expect(await store.lastSeq(b.id)).toBe(2);
  });
});
