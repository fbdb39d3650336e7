// Build progress on the wire: the Redis pub/sub channels and the event envelope shared by the
// worker (which stores then publishes) and the web app (which replays then follows, for SSE).

import { z } from 'zod';

// Channels are named under the installation's Redis prefix, like its keys: pub/sub is shared by
// every client of a Redis server, whatever database number they use.
/** Per-build channel carrying BuildEventMessage JSON, published only after the rows are stored. */
export const buildChannel = (prefix: string, buildId: string) => `${prefix}:build:${buildId}`;
/** Cancellation requests: the message is a build id; every worker of the installation listens. */
export const cancelChannel = (prefix: string) => `${prefix}:build-cancel`;

export const BUILD_EVENT_TYPES = ['status', 'stage', 'progress', 'log', 'artifact', 'bootcheck'] as const;
export type BuildEventType = (typeof BUILD_EVENT_TYPES)[number];

export const buildEventMessage = z.object({
  buildId: z.string(),
  /** Per-build, increasing; the SSE `id:` (Last-Event-ID resumes after it). */
  seq: z.number().int().nonnegative(),
  time: z.string(),
  type: z.enum(BUILD_EVENT_TYPES),
  data: z.record(z.string(), z.unknown()),
});
export type BuildEventMessage = z.infer<typeof buildEventMessage>;
