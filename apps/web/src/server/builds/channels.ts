// One subscriber connection per process for every open build event stream. A subscribed Redis
// connection can do nothing else, so without this each browser tab watching a build held its
// own connection, and the web app's connections grew with its viewers.

import type { Redis } from 'ioredis';

export type Unlisten = () => void;

export interface Channels {
  /** Calls onMessage for each message on the channel until the returned function is called. */
  listen(channel: string, onMessage: (text: string) => void): Promise<Unlisten>;
}

// Keyed by the connection factory: the web app has one, each test's build services their own.
const hubs = new WeakMap<() => Redis, Channels>();

export function channelsFor(connect: () => Redis): Channels {
  let hub = hubs.get(connect);
  if (!hub) {
    hub = createChannels(connect);
    hubs.set(connect, hub);
  }
  return hub;
}

function createChannels(connect: () => Redis): Channels {
  let sub: Redis | undefined;
  const listeners = new Map<string, Set<(text: string) => void>>();
  const connection = () => {
    if (!sub) {
      sub = connect();
      sub.on('message', (channel: string, text: string) => {
        for (const fn of listeners.get(channel) ?? []) fn(text);
      });
    }
    return sub;
  };
  return {
    async listen(channel, onMessage) {
      const s = connection();
      let set = listeners.get(channel);
      const first = !set;
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(onMessage);
      const unlisten = () => {
        const current = listeners.get(channel);
        if (!current?.delete(onMessage) || current.size) return;
        listeners.delete(channel);
        void s.unsubscribe(channel).catch(() => {});
      };
      // Commands on one connection run in order, so a SUBSCRIBE after an UNSUBSCRIBE of the same
      // channel leaves it subscribed; a second listener needs no SUBSCRIBE of its own.
      if (first) {
        try {
          await s.subscribe(channel);
        } catch (err) {
          unlisten();
          throw err;
        }
      }
      return unlisten;
    },
  };
}
