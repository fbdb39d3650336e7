// The BullMQ side of a build job: parse the payload, wire cancellation (pub/sub + a DB poll) and
// shutdown into one AbortSignal, run the build, and turn the outcome into the job's fate:
// user errors fail at once (UnrecoverableError), transient ones are retried with backoff,
// a shutdown hands the job back without using an attempt.

import { randomBytes } from 'node:crypto';
import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  BUILD_QUEUE,
  DEFAULT_REDIS_PREFIX,
  buildChannel,
  buildWorkerOptions,
  isFinalStatus,
  parseBuildJob,
  type BuildEventMessage,
  type BuildJobData,
  type BuildWorkerSettings,
  type CancelListener,
} from '@oscompose/queue';
import { classifyFailure } from '../build/classify';
import { BuildEventSink, type EventStore } from '../build/events';
import { LostOwnershipError, runBuild, type RunDeps } from '../build/runBuild';
import type { Db } from '../build/db';

export interface BuildJobDeps extends RunDeps {
  workerId: string;
  /** Publishes stored events on build:<id> (a normal, non-subscribed connection). */
  publisher: Redis;
  cancels: CancelListener;
  /** How often a running build re-reads its status (cancellation the pub/sub message missed). */
  cancelPollMs?: number;
}

const SHUTDOWN = 'worker-shutdown';

export function dbEventStore(db: Db): EventStore {
  return {
    async lastSeq(buildId) {
      const agg = await db.buildEvent.aggregate({ where: { buildId }, _max: { seq: true } });
      return agg._max.seq ?? -1;
    },
    async insert(rows) {
      await db.buildEvent.createMany({
        data: rows.map((r) => ({ buildId: r.buildId, seq: r.seq, time: new Date(r.time), type: r.type, payload: JSON.stringify(r.data) })),
      });
    },
  };
}

export function redisPublish(publisher: Redis) {
  return async (rows: BuildEventMessage[]) => {
    if (!rows.length) return;
    const pipe = publisher.pipeline();
    for (const r of rows) pipe.publish(buildChannel(r.buildId), JSON.stringify(r));
    await pipe.exec();
  };
}

/** Marks the build unless it already reached a final state or another run owns it. */
async function mark(db: Db, buildId: string, runId: string, data: { status: string; error?: string | null; finishedAt?: Date | null }) {
  const res = await db.build.updateMany({ where: { id: buildId, workerId: runId, status: 'running' }, data });
  return res.count > 0;
}

export interface BuildProcessor {
  process(job: Job<BuildJobData>, token?: string): Promise<string>;
  /** Aborts every running build with the shutdown reason (they hand their jobs back). */
  abortAll(): void;
  active(): number;
}

export function createBuildProcessor(deps: BuildJobDeps): BuildProcessor {
  const controllers = new Set<AbortController>();
  const log = deps.log ?? (() => {});

  async function process(job: Job<BuildJobData>, token?: string): Promise<string> {
    let data: BuildJobData;
    try {
      data = parseBuildJob(job.data);
    } catch (err) {
      throw new UnrecoverableError((err as Error).message);
    }
    const { buildId } = data;
    const runId = `${deps.workerId}#${job.attemptsStarted ?? 0}-${randomBytes(3).toString('hex')}`;
    const controller = new AbortController();
    controllers.add(controller);
    const untrack = deps.cancels.track(buildId, controller);
    const poll = setInterval(() => {
      deps.db.build
        .findUnique({ where: { id: buildId }, select: { status: true, workerId: true } })
        .then((b) => {
          if (!b || b.status === 'canceled') controller.abort(new DOMException(`Build ${buildId} was canceled`, 'AbortError'));
          else if (b.status === 'running' && b.workerId && b.workerId !== runId && b.workerId.startsWith(deps.workerId) === false) {
            // Another worker took the build over (our lock expired): stop wasting CPU.
            controller.abort(new LostOwnershipError(buildId));
          }
        })
        .catch(() => {});
    }, deps.cancelPollMs ?? 3000);
    const sink = await BuildEventSink.open(buildId, dbEventStore(deps.db), redisPublish(deps.publisher), {
      onError: (err) => log('event store/publish failed', { buildId, err: String(err) }),
    });
    const started = Date.now();
    try {
      const outcome = await runBuild(deps, { buildId, runId, signal: controller.signal, sink, fresh: data.fresh });
      log('build finished', { buildId, outcome, ms: Date.now() - started });
      return outcome;
    } catch (err) {
      const reason = controller.signal.reason;
      if (err instanceof LostOwnershipError || reason instanceof LostOwnershipError) {
        log('build no longer ours', { buildId, runId });
        return 'lost';
      }
      if (controller.signal.aborted && reason === SHUTDOWN && token) {
        // Hand the job back without using an attempt: another worker (or we, restarted) runs it.
        await deps.db.build.updateMany({ where: { id: buildId, workerId: runId, status: 'running' }, data: { status: 'queued' } });
        sink.emit('log', { level: 'warn', message: 'worker shutting down: the build goes back to the queue' });
        sink.emit('status', { status: 'queued' });
        await job.moveToDelayed(Date.now() + 500, token);
        throw new DelayedError();
      }
      const kind = classifyFailure(err, controller.signal);
      const message = (err as Error)?.message ?? String(err);
      if (kind === 'canceled') {
        // cancelBuild already wrote status canceled; this covers a cancel seen only by the signal.
        await mark(deps.db, buildId, runId, { status: 'canceled', finishedAt: new Date() });
        sink.emit('status', { status: 'canceled' });
        return 'canceled';
      }
      const attempts = job.opts.attempts ?? 1;
      const last = kind === 'user' || job.attemptsMade + 1 >= attempts;
      if (last) {
        await mark(deps.db, buildId, runId, { status: 'failed', error: message, finishedAt: new Date() });
        sink.emit('log', { level: 'error', message });
        sink.emit('status', { status: 'failed', error: message });
        log('build failed', { buildId, kind, message });
        if (kind === 'user') throw new UnrecoverableError(message);
        throw err;
      }
      await mark(deps.db, buildId, runId, { status: 'queued', error: null });
      sink.emit('log', { level: 'warn', message: `attempt ${job.attemptsMade + 1} of ${attempts} failed (${message}); retrying with backoff` });
      sink.emit('status', { status: 'queued', retry: job.attemptsMade + 1 });
      throw err;
    } finally {
      clearInterval(poll);
      untrack();
      controllers.delete(controller);
      await sink.close();
    }
  }

  return {
    process,
    abortAll() {
      for (const c of controllers) c.abort(SHUTDOWN);
    },
    active: () => controllers.size,
  };
}

export interface StartedBuildWorker {
  worker: Worker<BuildJobData>;
  processor: BuildProcessor;
  /** Stops taking jobs; waits `graceMs` for running builds, then hands them back. */
  close(graceMs?: number): Promise<void>;
}

export function startBuildWorker(
  deps: BuildJobDeps,
  opts: { connection: ConnectionOptions; prefix?: string; settings?: Partial<BuildWorkerSettings> },
): StartedBuildWorker {
  const processor = createBuildProcessor(deps);
  const worker = new Worker<BuildJobData>(BUILD_QUEUE, (job, token) => processor.process(job, token), {
    connection: opts.connection,
    prefix: opts.prefix ?? DEFAULT_REDIS_PREFIX,
    ...buildWorkerOptions(opts.settings),
  });
  // A job failed outside our processor (stalled too often): make the build row say so.
  worker.on('failed', (job, err) => {
    if (!job) return;
    const buildId = (job.data as BuildJobData)?.buildId;
    if (!buildId || !/stalled/i.test(err?.message ?? '')) return;
    void deps.db.build
      .findUnique({ where: { id: buildId }, select: { status: true } })
      .then((b) => {
        if (b && !isFinalStatus(b.status)) {
          return deps.db.build.update({
            where: { id: buildId },
            data: { status: 'failed', finishedAt: new Date(), error: `The build's worker died too often (${err.message}); submit it again.` },
          });
        }
      })
      .catch(() => {});
  });
  worker.on('error', (err) => deps.log?.('worker error', { err: String(err) }));
  return {
    worker,
    processor,
    async close(graceMs = 10_000) {
      const closing = worker.close();
      const timer = setTimeout(() => processor.abortAll(), graceMs);
      await closing;
      clearTimeout(timer);
    },
  };
}
