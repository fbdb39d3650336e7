// The web app's Redis side: one fail-fast producer connection (a request never hangs on a dead
// Redis). Keys and channels are named under installation().redisPrefix.
import { createProducerConnection } from '@oscompose/queue';
import { webConfig } from './config';

type Redis = ReturnType<typeof createProducerConnection>;

const holder = globalThis as unknown as { __oscomposeRedis?: Redis };

export function redis(): Redis {
  if (!holder.__oscomposeRedis) {
    const connection = createProducerConnection(webConfig().redisUrl);
    connection.on('error', () => {}); // reported per request (health, enqueue), not as unhandled events
    holder.__oscomposeRedis = connection;
  }
  return holder.__oscomposeRedis;
}
