// The BullMQ side of testdrives: parse the job, run the VM (runTestdrive), and on close abort
// every running one so each QEMU is stopped and its row ended with "worker-shutdown" before the
// worker exits. Concurrency is the number of VMs this worker runs at once (WORKER_TESTDRIVES).

import { randomBytes } from 'node:crypto';
import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { parseTestdriveJob, TESTDRIVE_QUEUE, type TestdriveJobData } from '@oscompose/queue';
import { runTestdrive, type TestdriveDeps, type TestdriveOutcome } from '../testdrive/runTestdrive';

export interface TestdriveWorker {
  active(): number;
  close(): Promise<void>;
}

export function startTestdriveWorker(
  deps: TestdriveDeps & { workerId: string; installationId?: string },
  opts: { connection: ConnectionOptions; concurrency: number },
): TestdriveWorker {
  const running = new Set<{ controller: AbortController; done: Promise<unknown> }>();
  const worker = new Worker<TestdriveJobData, TestdriveOutcome>(
    TESTDRIVE_QUEUE,
    async (job: Job<TestdriveJobData>, token?: string) => {
      let data: TestdriveJobData;
      try {
        data = parseTestdriveJob(job.data);
      } catch (err) {
        throw new UnrecoverableError((err as Error).message);
      }
      // Another installation sharing this Redis prefix: leave its job alone.
      if (data.installation && deps.installationId && data.installation !== deps.installationId && token) {
        await job.moveToDelayed(Date.now() + 30_000, token);
        throw new DelayedError();
      }
      const controller = new AbortController();
      const runId = `${deps.workerId}#td-${randomBytes(3).toString('hex')}`;
      const done = runTestdrive(deps, data.testdriveId, runId, controller.signal);
      const entry = { controller, done };
      running.add(entry);
      try {
        return await done;
      } finally {
        running.delete(entry);
      }
    },
    {
      connection: opts.connection,
      prefix: deps.redisPrefix,
      concurrency: opts.concurrency,
      // A worker that died takes its VM with it (the watchdog kills QEMU): the re-delivered job
      // only marks the row failed (runTestdrive), so one re-delivery is enough.
      maxStalledCount: 1,
    },
  );
  worker.on('error', (err) => deps.log?.('testdrive worker error', { err: String(err) }));
  return {
    active: () => running.size,
    async close() {
      // Stop taking testdrives first, then end the running ones (each stops its QEMU).
      const closing = worker.close();
      for (const r of running) r.controller.abort();
      await Promise.allSettled([...running].map((r) => r.done));
      await closing;
    },
  };
}
