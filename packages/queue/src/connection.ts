// Redis connections for the two sides of a queue. The producer (web) fails fast so a request
// never hangs on a dead Redis; the worker waits for Redis to come back (BullMQ requires
// maxRetriesPerRequest: null for blocking commands).
import { Redis, type RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
// Every key and channel is named under the installation's prefix (installationRedisPrefix in
// @oscompose/db); there is deliberately no default, so nothing can fall back to a shared name.

export function createProducerConnection(url: string = DEFAULT_REDIS_URL, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    // A command waits for at most one reconnect attempt, then fails.
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...extra,
  });
}

export function createWorkerConnection(url: string = DEFAULT_REDIS_URL, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // Back off up to 5 s between reconnects; never give up.
    retryStrategy: (times) => Math.min(times * 200, 5000),
    ...extra,
  });
}

/** Resolves when the connection answers PING; rejects with a message that says what to do. */
export async function pingRedis(redis: Redis, url: string): Promise<void> {
  try {
    if (redis.status === 'wait') await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(
      `Redis at ${url} does not answer (${(err as Error).message}). Start it (redis-server) or set REDIS_URL.`,
    );
  }
}
