// Worker heartbeats in Redis: each worker refreshes a key with a TTL; the web app lists the
// workers whose key is still alive (GET /api/health, the admin page).
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const WorkerHeartbeat = z.object({
  id: z.string(),
  hostname: z.string(),
  pid: z.number().int(),
  version: z.string(),
  startedAt: z.string(),
  seenAt: z.string(),
  concurrency: z.number().int().nonnegative(),
  activeJobs: z.number().int().nonnegative(),
  state: z.enum(['idle', 'busy', 'stopping']),
  /** Output formats this worker's host tools can write (absent from workers before formats were advertised). */
  formats: z.array(z.string()).optional(),
  /** What this host cannot do and what to install, one line each (formats left out, the boot check). */
  unavailable: z.array(z.string()).optional(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeat>;

/** How often a worker beats, and how long a beat counts. A worker is gone after TTL seconds. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const HEARTBEAT_TTL_SECONDS = 20;

const indexKey = (prefix: string) => `${prefix}:workers`;
const workerKey = (prefix: string, id: string) => `${prefix}:worker:${id}`;

export async function writeHeartbeat(
  redis: Redis,
  beat: WorkerHeartbeat,
  opts: { prefix: string; ttlSeconds?: number },
): Promise<void> {
  const { prefix } = opts;
  await redis
    .multi()
    .sadd(indexKey(prefix), beat.id)
    .set(workerKey(prefix, beat.id), JSON.stringify(WorkerHeartbeat.parse(beat)), 'EX', opts.ttlSeconds ?? HEARTBEAT_TTL_SECONDS)
    .exec();
}

/** Removes a worker at once (graceful shutdown), instead of waiting for its TTL. */
export async function removeHeartbeat(redis: Redis, id: string, opts: { prefix: string }): Promise<void> {
  const { prefix } = opts;
  await redis.multi().srem(indexKey(prefix), id).del(workerKey(prefix, id)).exec();
}

/** Workers with a live heartbeat, sorted by id. Forgets ids whose heartbeat expired. */
export async function listWorkers(redis: Redis, opts: { prefix: string }): Promise<WorkerHeartbeat[]> {
  const { prefix } = opts;
  const ids = (await redis.smembers(indexKey(prefix))).sort();
  if (ids.length === 0) return [];
  const values = await redis.mget(ids.map((id) => workerKey(prefix, id)));
  const alive: WorkerHeartbeat[] = [];
  const expired: string[] = [];
  values.forEach((value, i) => {
    const parsed = value ? WorkerHeartbeat.safeParse(safeJson(value)) : undefined;
    if (parsed?.success) alive.push(parsed.data);
    else expired.push(ids[i]!);
  });
  if (expired.length) await redis.srem(indexKey(prefix), ...expired);
  return alive;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
