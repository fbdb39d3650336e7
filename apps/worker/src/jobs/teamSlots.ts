// Per-team concurrency across every worker (OSCOMPOSE_TEAM_CONCURRENCY): at most `limit` builds
// of one team run at once, so one team's pile of builds cannot take every worker. Open-source
// BullMQ has no job groups, so this is a semaphore in Redis: one sorted set per team holding the
// builds that run now, each scored with the end of its lease. A worker renews the leases of the
// builds it runs; one that dies stops renewing, and its slots free themselves when the lease ends.
// Taking a slot is one Lua script (drop ended leases, then take a slot if the build holds one
// already — a re-delivered job — or fewer than `limit` are held), so two workers never both take
// the last slot. Time is Redis's clock, the same for every worker machine. Builds held back are
// remembered per team, oldest first, so a freed slot can call the next one in at once instead of
// leaving it to its next look.

import type { Redis } from 'ioredis';

export interface TeamSlots {
  readonly limit: number;
  /** Takes a slot for the build; false when the team already runs `limit` builds. */
  acquire(teamId: string, buildId: string): Promise<boolean>;
  /** Extends the build's lease (called while it runs). */
  renew(teamId: string, buildId: string): Promise<void>;
  release(teamId: string, buildId: string): Promise<void>;
  /** Remembers a build that found its team at the limit (kept until it takes a slot). */
  holdBack(teamId: string, buildId: string): Promise<void>;
  /** The team's oldest held-back build, removed from the list (to be called in); undefined: none. */
  nextHeldBack(teamId: string): Promise<string | undefined>;
  /** Builds of the team that hold a slot now (for tests and the admin view). */
  running(teamId: string): Promise<string[]>;
}

const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS[1] team key; ARGV: buildId, limit, leaseMs. Returns 1 when the slot is taken.
const ACQUIRE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 1
end
return 0`;

// Only a build that still holds its slot is renewed (XX): one whose lease ended started over.
const RENEW = `${NOW}
if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return 1`;

const RUNNING = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, -1)`;

export function teamSlots(redis: Redis, opts: { prefix: string; limit: number; leaseMs: number }): TeamSlots {
  const key = (teamId: string) => `${opts.prefix}:team-running:${teamId}`;
  const waiting = (teamId: string) => `${opts.prefix}:team-waiting:${teamId}`;
  // Held-back lists of teams that stopped building go away by themselves.
  const WAITING_TTL_S = 24 * 3600;
  const unlimited = opts.limit <= 0;
  return {
    limit: opts.limit,
    async acquire(teamId, buildId) {
      if (unlimited) return true;
      return (await redis.eval(ACQUIRE, 2, key(teamId), waiting(teamId), buildId, opts.limit, opts.leaseMs)) === 1;
    },
    async renew(teamId, buildId) {
      if (unlimited) return;
      await redis.eval(RENEW, 1, key(teamId), buildId, opts.leaseMs);
    },
    async release(teamId, buildId) {
      if (unlimited) return;
      await redis.zrem(key(teamId), buildId);
    },
    async holdBack(teamId, buildId) {
      if (unlimited) return;
      await redis.multi().zadd(waiting(teamId), 'NX', Date.now(), buildId).expire(waiting(teamId), WAITING_TTL_S).exec();
    },
    async nextHeldBack(teamId) {
      if (unlimited) return undefined;
      const [id] = await redis.zpopmin(waiting(teamId));
      return id;
    },
    async running(teamId) {
      return (await redis.eval(RUNNING, 1, key(teamId))) as string[];
    },
  };
}
