// A status event written by the web app (a cancel before any worker saw the build). It takes
// the next seq; if a worker wrote that seq first, the worker's own status event says the same.

import { buildChannel, type BuildEventMessage } from '@oscompose/queue';
import { buildDeps } from './deps';

export async function appendStatusEvent(buildId: string, data: Record<string, unknown>): Promise<void> {
  const { db, redis, redisPrefix } = await buildDeps();
  const agg = await db.buildEvent.aggregate({ where: { buildId }, _max: { seq: true } });
  const msg: BuildEventMessage = { buildId, seq: (agg._max.seq ?? -1) + 1, time: new Date().toISOString(), type: 'status', data };
  try {
    await db.buildEvent.create({ data: { buildId, seq: msg.seq, time: new Date(msg.time), type: msg.type, payload: JSON.stringify(data) } });
  } catch {
    return;
  }
  await redis.publish(buildChannel(redisPrefix, buildId), JSON.stringify(msg)).catch(() => 0);
}
