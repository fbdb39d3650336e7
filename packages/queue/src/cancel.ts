// Cancellation: the web app publishes a build id on the installation's cancel channel; every worker subscribes and
// aborts the AbortController of that build if it runs it. The database (status canceled) stays
// the truth: a worker that missed the message still cannot mark the build or publish artifacts.

import type { Redis } from 'ioredis';
import { cancelChannel } from './events';

export interface CancelListener {
  /** Registers a running build; returns the unregister function. */
  track(buildId: string, controller: AbortController): () => void;
  close(): Promise<void>;
}

export async function requestCancel(redis: Redis, prefix: string, buildId: string): Promise<void> {
  await redis.publish(cancelChannel(prefix), buildId);
}

/** Listens on a dedicated subscriber connection (a subscribed ioredis client can do nothing else). */
export async function listenForCancels(subscriber: Redis, prefix: string): Promise<CancelListener> {
  const channelName = cancelChannel(prefix);
  const running = new Map<string, Set<AbortController>>();
  subscriber.on('message', (channel: string, buildId: string) => {
    if (channel !== channelName) return;
    for (const c of running.get(buildId) ?? []) c.abort(new DOMException(`Build ${buildId} was canceled`, 'AbortError'));
  });
  await subscriber.subscribe(channelName);
  return {
    track(buildId, controller) {
      let set = running.get(buildId);
      if (!set) running.set(buildId, (set = new Set()));
      set.add(controller);
      return () => {
        set!.delete(controller);
        if (!set!.size) running.delete(buildId);
      };
    },
    async close() {
      await subscriber.unsubscribe(channelName).catch(() => {});
      subscriber.disconnect();
    },
  };
}
