// The typed job catalog: queue names and payload schemas. Producers parse the payload before
// adding a job, workers parse job.data again; payloads carry ids, never documents.
import { z } from 'zod';

/** The queue build jobs go through. */
export const BUILD_QUEUE = 'builds';

export const BuildJobData = z
  .object({
    buildId: z.string().min(1, 'buildId must not be empty'),
    // Skip the build cache (the user asked for a fresh build); a flag, not a document.
    fresh: z.boolean().optional(),
    // The installation whose database holds the build (installationId in @oscompose/db): a
    // worker of another installation that shares the Redis prefix leaves the job alone.
    installation: z.string().min(1).optional(),
  })
  .strict();
export type BuildJobData = z.infer<typeof BuildJobData>;

export class JobPayloadError extends Error {
  constructor(
    readonly queue: string,
    message: string,
  ) {
    super(message);
    this.name = 'JobPayloadError';
  }
}

/** Validates a build job payload; throws JobPayloadError naming the problem. */
export function parseBuildJob(data: unknown): BuildJobData {
  const parsed = BuildJobData.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
    throw new JobPayloadError(BUILD_QUEUE, `Invalid ${BUILD_QUEUE} job payload (${problems}); expected { buildId: string, fresh?: boolean, installation?: string }.`);
  }
  return parsed.data;
}

/** Attempts per build job: transient failures (registry down, connection refused) are retried. */
export const BUILD_JOB_ATTEMPTS = 3;
/** First retry after this many ms, then doubling (exponential backoff). */
export const BUILD_JOB_BACKOFF_MS = 5_000;

/**
 * Job options for a build: jobId = build id, so adding the same build twice (a retry, a double
 * click) never makes two jobs. BullMQ priority: 1 is highest; we map our priority (higher =
 * sooner, default 0) onto it. User errors are thrown as UnrecoverableError by the worker and
 * skip the remaining attempts.
 */
export function buildJobOptions(buildId: string, priority = 0, opts: { attempts?: number; backoffMs?: number } = {}) {
  return {
    jobId: buildId,
    priority: Math.min(2_097_152, Math.max(1, 1000 - Math.trunc(priority))),
    attempts: opts.attempts ?? BUILD_JOB_ATTEMPTS,
    backoff: { type: 'exponential' as const, delay: opts.backoffMs ?? BUILD_JOB_BACKOFF_MS },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
