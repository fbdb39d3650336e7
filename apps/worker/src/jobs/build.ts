// The BullMQ side of a build job: parse the payload, wait for a slot of the build's team, wire
// cancellation (pub/sub + a DB poll), the wall-time limit and shutdown into one AbortSignal, run
// the build, and turn the outcome into the job's fate: user and internal errors fail at once
// (UnrecoverableError), transient ones are retried with backoff, a shutdown or a team at its
// limit hands the job back without using an attempt.

import { randomBytes } from 'node:crypto';
import { DelayedError, Job, UnrecoverableError, Worker, type ConnectionOptions, type MinimalQueue } from 'bullmq';
import type { Redis } from 'ioredis';
import { buildEventStore, buildState, isFinalStatus, LostOwnershipError } from '@oscompose/db';
import {
  BUILD_QUEUE,
  buildChannel,
  buildWorkerOptions,
  parseBuildJob,
  type BuildEventMessage,
  type BuildJobData,
  type BuildWorkerSettings,
  type CancelListener,
} from '@oscompose/queue';
import { classifyFailure, failureMessage } from '../build/classify';
import { wallTimeError } from '../build/limits';
import { BuildEventSink, type EventStore } from '../build/events';
import { runBuild, type RunDeps } from '../build/runBuild';
import type { Db } from '../build/db';
import type { TeamSlots } from './teamSlots';

export interface BuildJobDeps extends RunDeps {
  workerId: string;
  /** This worker's installation: a job naming another one is left alone (see process()). */
  installationId?: string;
  /** The installation's Redis prefix: event channels are named under it. */
  redisPrefix: string;
  /** Publishes stored events on <prefix>:build:<id> (a normal, non-subscribed connection). */
  publisher: Redis;
  cancels: CancelListener;
  /** How often a running build re-reads its status (cancellation the pub/sub message missed). */
  cancelPollMs?: number;
  /** Wall time of one run of a build (OSCOMPOSE_BUILD_MAX_SECONDS); the run is aborted after it. */
  maxBuildSeconds?: number;
  /** Per-team concurrency (OSCOMPOSE_TEAM_CONCURRENCY); absent: no limit. */
  teamSlots?: TeamSlots;
  /** How often a held slot's lease is renewed, and how long a held-back job waits to look again. */
  slotRenewMs?: number;
  slotRecheckMs?: number;
}

const SHUTDOWN = 'worker-shutdown';
/** How long a job left alone (another installation's) waits before any worker looks at it again. */
const FOREIGN_RECHECK_MS = 30_000;

/** The build's events in the database, through the one appender (@oscompose/db buildState). */
export function dbEventStore(db: Db): EventStore {
  return buildEventStore(db);
}

export function redisPublish(publisher: Redis, prefix: string) {
  return async (rows: BuildEventMessage[]) => {
    if (!rows.length) return;
    const pipe = publisher.pipeline();
    for (const r of rows) pipe.publish(buildChannel(prefix, r.buildId), JSON.stringify(r));
    await pipe.exec();
  };
}

export interface BuildProcessor {
  process(job: Job<BuildJobData>, token?: string): Promise<string>;
  /** Aborts every running build with the shutdown reason (they hand their jobs back). */
  abortAll(): void;
  active(): number;
}

/** `queue`: where held-back jobs are looked up to call them in when a slot frees (the Worker). */
export function createBuildProcessor(deps: BuildJobDeps, queue?: () => MinimalQueue): BuildProcessor {
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
    // Not ours: two installations share a Redis prefix (OSCOMPOSE_REDIS_PREFIX set alike). The
    // job is handed back untouched (no attempt used, nothing written) for its own installation.
    if (data.installation && deps.installationId && data.installation !== deps.installationId && token) {
      log('job left alone: its build belongs to another installation that shares this Redis prefix (give each installation its own OSCOMPOSE_REDIS_PREFIX)', {
        buildId,
        jobInstallation: data.installation,
        installation: deps.installationId,
      });
      await job.moveToDelayed(Date.now() + FOREIGN_RECHECK_MS, token);
      throw new DelayedError();
    }
    // Ours, but the row is gone (its team was deleted): nothing to build, nothing to mark.
    if (!(await deps.db.build.findUnique({ where: { id: buildId }, select: { id: true } }))) {
      log('job dropped: its build does not exist in this database (deleted?)', { buildId });
      return 'missing';
    }
    // A team at its limit: hand the job back, no attempt used, and look again in a moment (with
    // jitter, so held-back jobs do not all come back at once). The build stays queued.
    const slot = await takeTeamSlot(buildId);
    if (slot?.busy && token) {
      const recheck = deps.slotRecheckMs ?? 2000;
      await deps.teamSlots!.holdBack(slot.teamId, buildId);
      await job.moveToDelayed(Date.now() + recheck + Math.floor(Math.random() * recheck), token);
      throw new DelayedError();
    }
    if (!slot || slot.busy) return run(job, data, token);
    const slots = deps.teamSlots!;
    const renewer = setInterval(() => void slots.renew(slot.teamId, buildId).catch(() => {}), deps.slotRenewMs ?? 10_000);
    try {
      return await run(job, data, token);
    } finally {
      clearInterval(renewer);
      await slots.release(slot.teamId, buildId).catch(() => {});
      await callInNext(slot.teamId).catch(() => {});
    }
  }

  /** A slot was freed: the team's oldest held-back build need not wait for its next look. */
  async function callInNext(teamId: string): Promise<void> {
    if (!queue) return;
    for (let id = await deps.teamSlots!.nextHeldBack(teamId); id; id = await deps.teamSlots!.nextHeldBack(teamId)) {
      const next = await Job.fromId(queue(), id);
      if (next && (await next.isDelayed())) {
        await next.promote();
        return;
      }
      // Gone, finished, or already back in the queue: try the next one.
    }
  }

  async function run(job: Job<BuildJobData>, data: BuildJobData, token?: string): Promise<string> {
    const { buildId } = data;
    // Opened first: when the database is down this fails before any timer or listener exists.
    const sink = await BuildEventSink.open(buildId, dbEventStore(deps.db), redisPublish(deps.publisher, deps.redisPrefix), {
      onError: (err) => log('event store/publish failed', { buildId, err: String(err) }),
    });
    const runId = `${deps.workerId}#${job.attemptsStarted ?? 0}-${randomBytes(3).toString('hex')}`;
    const controller = new AbortController();
    controllers.add(controller);
    const wallTime = deps.maxBuildSeconds
      ? setTimeout(() => controller.abort(wallTimeError(deps.maxBuildSeconds!)), deps.maxBuildSeconds * 1000)
      : undefined;
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
    const started = Date.now();
    try {
      const outcome = await runBuild(deps, { buildId, runId, signal: controller.signal, sink, fresh: data.fresh, abort: (r) => controller.abort(r) });
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
        await buildState.moveOwned(deps.db, buildId, runId, 'queued');
        sink.emit('log', { level: 'warn', message: 'worker shutting down: the build goes back to the queue' });
        sink.emit('status', { status: 'queued' });
        await job.moveToDelayed(Date.now() + 500, token);
        throw new DelayedError();
      }
      const kind = classifyFailure(err, controller.signal);
      const message = failureMessage(err, controller.signal);
      if (kind === 'canceled') {
        // cancelBuild already wrote status canceled; this covers a cancel seen only by the signal.
        await buildState.moveOwned(deps.db, buildId, runId, 'canceled');
        sink.emit('status', { status: 'canceled' });
        return 'canceled';
      }
      const attempts = job.opts.attempts ?? 1;
      const last = kind !== 'transient' || job.attemptsMade + 1 >= attempts;
      if (last) {
        await buildState.moveOwned(deps.db, buildId, runId, 'failed', { error: message });
        sink.emit('log', { level: 'error', message });
        sink.emit('status', { status: 'failed', error: message });
        log('build failed', { buildId, kind, message, ...(kind === 'internal' ? { stack: (err as Error)?.stack } : {}) });
        if (kind !== 'transient') throw new UnrecoverableError(message);
        throw err;
      }
      await buildState.moveOwned(deps.db, buildId, runId, 'queued', { error: null });
      sink.emit('log', { level: 'warn', message: `attempt ${job.attemptsMade + 1} of ${attempts} failed (${message}); retrying with backoff` });
      sink.emit('status', { status: 'queued', retry: job.attemptsMade + 1 });
      throw err;
    } finally {
      clearInterval(poll);
      clearTimeout(wallTime);
      untrack();
      controllers.delete(controller);
      await sink.close();
    }
  }

  /** The team's slot for this build: taken, busy (team at its limit), or undefined (no limit / no build). */
  async function takeTeamSlot(buildId: string): Promise<{ teamId: string; busy: boolean } | undefined> {
    if (!deps.teamSlots || deps.teamSlots.limit <= 0) return undefined;
    const build = await deps.db.build.findUnique({ where: { id: buildId }, select: { teamId: true, status: true } });
    if (!build || isFinalStatus(build.status)) return undefined; // runBuild says what happened
    return { teamId: build.teamId, busy: !(await deps.teamSlots.acquire(build.teamId, buildId)) };
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
  opts: { connection: ConnectionOptions; settings?: Partial<BuildWorkerSettings> },
): StartedBuildWorker {
  const processor = createBuildProcessor(deps, () => worker);
  const worker: Worker<BuildJobData> = new Worker<BuildJobData>(BUILD_QUEUE, (job, token) => processor.process(job, token), {
    connection: opts.connection,
    prefix: deps.redisPrefix,
    ...buildWorkerOptions(opts.settings),
  });
  // A job failed outside our processor (stalled too often): make the build row say so.
  worker.on('failed', (job, err) => {
    if (!job) return;
    const buildId = (job.data as BuildJobData)?.buildId;
    if (!buildId || !/stalled/i.test(err?.message ?? '')) return;
    void buildState.failOrphan(deps.db, buildId, `The build's worker died too often (${err.message}); submit it again.`).catch(() => {});
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
