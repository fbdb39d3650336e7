// BullMQ worker settings for build jobs: concurrency, and the lock/stall timings that decide how
// soon a build whose worker died (SIGKILL, lost machine) is handed to another worker.

import type { WorkerOptions } from 'bullmq';

export interface BuildWorkerSettings {
  /** Builds one worker process runs at once (WORKER_CONCURRENCY). */
  concurrency: number;
  /** A job's lock lives this long unless renewed (renewed every lockDuration/2 while alive). */
  lockDurationMs: number;
  /** How often workers look for jobs whose lock expired (stalled: the worker died). */
  stalledIntervalMs: number;
  /** A job may stall this often before it is failed (each SIGKILL mid-build is one stall). */
  maxStalledCount: number;
}

export const DEFAULT_BUILD_WORKER_SETTINGS: BuildWorkerSettings = {
  concurrency: 1,
  lockDurationMs: 30_000,
  stalledIntervalMs: 15_000,
  maxStalledCount: 3,
};

export function buildWorkerOptions(s: Partial<BuildWorkerSettings> = {}): Pick<
  WorkerOptions,
  'concurrency' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount'
> {
  const v = { ...DEFAULT_BUILD_WORKER_SETTINGS, ...s };
  return { concurrency: v.concurrency, lockDuration: v.lockDurationMs, stalledInterval: v.stalledIntervalMs, maxStalledCount: v.maxStalledCount };
}
