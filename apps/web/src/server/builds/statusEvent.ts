// A status event written by the web app (a cancel before any worker saw the build), appended to
// the build's one event sequence by the same appender the worker uses, then published.

import { appendBuildEvent, buildEventStore } from '@oscompose/db';
import { buildChannel } from '@oscompose/queue';
import { buildDeps } from './deps';

export async function appendStatusEvent(buildId: string, data: Record<string, unknown>): Promise<void> {
  const { db, redis, redisPrefix } = await buildDeps();
  let msg;
  try {
    msg = await appendBuildEvent(buildEventStore(db), buildId, 'status', data);
  } catch {
    return; // the status itself is written; a missing event only costs the live view a message
  }
  await redis.publish(buildChannel(redisPrefix, buildId), JSON.stringify(msg)).catch(() => 0);
}
