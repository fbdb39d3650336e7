// Keeps this worker's heartbeat fresh in Redis so the web app can list live workers.
import { HEARTBEAT_INTERVAL_MS, removeHeartbeat, writeHeartbeat, type WorkerHeartbeat } from '@oscompose/queue';
import type { Redis } from 'ioredis';
import type { Logger } from './logger';

export interface HeartbeatLoop {
  /** Beat now (e.g. after a state change). */
  beat(): Promise<void>;
  /** Stop beating and remove the heartbeat, so the worker disappears at once. */
  stop(): Promise<void>;
}

export function startHeartbeat(
  redis: Redis,
  snapshot: () => Omit<WorkerHeartbeat, 'seenAt'>,
  opts: { prefix: string; log: Logger; intervalMs?: number },
): HeartbeatLoop {
  let failing = false;
  const beat = async () => {
    try {
      await writeHeartbeat(redis, { ...snapshot(), seenAt: new Date().toISOString() }, { prefix: opts.prefix });
      if (failing) opts.log.info('heartbeat restored');
      failing = false;
    } catch (err) {
      // Redis is down: log once; the worker connection reconnects by itself.
      if (!failing) opts.log.warn({ err: (err as Error).message }, 'heartbeat failed');
      failing = true;
    }
  };
  const timer = setInterval(beat, opts.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  timer.unref();
  void beat();
  return {
    beat,
    async stop() {
      clearInterval(timer);
      await removeHeartbeat(redis, snapshot().id, { prefix: opts.prefix }).catch(() => {});
    },
  };
}
