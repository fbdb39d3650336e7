// The web app's Redis side: one fail-fast producer connection (a request never hangs on a dead
// Redis) and the build queue on it.
import { createBuildQueue, createProducerConnection } from '@oscompose/queue';
import { webConfig } from './config';

type Redis = ReturnType<typeof createProducerConnection>;
type BuildQueue = ReturnType<typeof createBuildQueue>;

const holder = globalThis as unknown as { __oscomposeRedis?: Redis; __oscomposeBuildQueue?: BuildQueue };

export function redis(): Redis {
  if (!holder.__oscomposeRedis) {
    const connection = createProducerConnection(webConfig().redisUrl);
    connection.on('error', () => {}); // reported per request (health, enqueue), not as unhandled events
    holder.__oscomposeRedis = connection;
  }
  return holder.__oscomposeRedis;
}

export function buildQueue(): BuildQueue {
  holder.__oscomposeBuildQueue ??= createBuildQueue(redis(), { prefix: webConfig().redisPrefix });
  return holder.__oscomposeBuildQueue;
}
