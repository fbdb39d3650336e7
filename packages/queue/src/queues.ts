// BullMQ queue handles. The producer side validates the payload before adding a job.
import { Queue, type ConnectionOptions } from 'bullmq';
import { BUILD_QUEUE, buildJobOptions, parseBuildJob, type BuildJobData } from './jobs';

export function createBuildQueue(connection: ConnectionOptions, opts: { prefix: string }): Queue<BuildJobData> {
  return new Queue<BuildJobData>(BUILD_QUEUE, { connection, prefix: opts.prefix });
}

/** Adds the job for a build row that already exists (status queued). Idempotent per build id. */
export async function enqueueBuild(queue: Queue<BuildJobData>, data: BuildJobData, opts: { priority?: number } = {}) {
  const payload = parseBuildJob(data);
  return queue.add('build', payload, buildJobOptions(payload.buildId, opts.priority));
}
