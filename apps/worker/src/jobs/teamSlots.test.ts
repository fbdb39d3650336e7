// The per-team semaphore against a real (private) redis-server: the limit holds under concurrent
// takers on separate connections, a re-delivered build keeps its slot, a dead worker's slot frees
// itself when its lease ends, teams do not share slots.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@oscompose/queue/testing';
import { teamSlots } from './teamSlots';

let redis: RedisServer;
const conns: Redis[] = [];
const conn = () => {
  const c = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  conns.push(c);
  return c;
};

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const c of conns) c.disconnect();
  await redis?.stop();
});

describe('teamSlots (Redis semaphore per team)', () => {
  it('gives a team at most `limit` slots, even to many workers asking at once', async () => {
    const workers = Array.from({ length: 8 }, () => teamSlots(conn(), { prefix: 't1', limit: 2, leaseMs: 60_000 }));
    const got = await Promise.all(Array.from({ length: 24 }, (_, i) => workers[i % 8]!.acquire('team-a', `b${i}`)));
    expect(got.filter(Boolean)).toHaveLength(2);
    const holders = (await workers[0]!.running('team-a')).sort();
    expect(holders).toHaveLength(2);
    // Another team is not affected.
    expect(await workers[3]!.acquire('team-b', 'x1')).toBe(true);
    // A holder asking again (its job was re-delivered) keeps its slot; others still wait.
    expect(await workers[5]!.acquire('team-a', holders[0]!)).toBe(true);
    expect(await workers[5]!.acquire('team-a', 'late')).toBe(false);
    await workers[1]!.release('team-a', holders[0]!);
    expect(await workers[6]!.acquire('team-a', 'late')).toBe(true);
    expect((await workers[0]!.running('team-a')).sort()).toEqual([holders[1]!, 'late'].sort());
  });

  it('frees the slot of a worker that stopped renewing when its lease ends; renewing keeps it', async () => {
    const a = teamSlots(conn(), { prefix: 't2', limit: 1, leaseMs: 400 });
    expect(await a.acquire('team', 'kept')).toBe(true);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await a.renew('team', 'kept');
    }
    expect(await a.acquire('team', 'other')).toBe(false); // 800 ms later, still held
    await new Promise((r) => setTimeout(r, 600)); // no renewal: the lease ends
    expect(await a.acquire('team', 'other')).toBe(true);
    expect(await a.running('team')).toEqual(['other']);
    // The key does not outlive its leases.
    await a.release('team', 'other');
    expect(await conns.at(-1)!.exists('t2:team-running:team')).toBe(0);
  });

  it('remembers held-back builds oldest first, and forgets one once it takes a slot', async () => {
    const s = teamSlots(conn(), { prefix: 't4', limit: 1, leaseMs: 60_000 });
    expect(await s.acquire('team', 'runs')).toBe(true);
    for (const id of ['first', 'second', 'third']) {
      expect(await s.acquire('team', id)).toBe(false);
      await s.holdBack('team', id);
      await new Promise((r) => setTimeout(r, 2));
    }
    await s.holdBack('team', 'first'); // held back again: keeps its place
    await s.release('team', 'runs');
    expect(await s.acquire('team', 'second')).toBe(true); // took the slot on its own look
    expect(await s.nextHeldBack('team')).toBe('first');
    expect(await s.nextHeldBack('team')).toBe('third');
    expect(await s.nextHeldBack('team')).toBeUndefined();
  });

  it('limit 0 means no limit and touches nothing in Redis', async () => {
    const c = conn();
    const s = teamSlots(c, { prefix: 't3', limit: 0, leaseMs: 1000 });
    for (let i = 0; i < 10; i++) expect(await s.acquire('team', `b${i}`)).toBe(true);
    expect(await c.keys('t3:*')).toEqual([]);
  });
});
