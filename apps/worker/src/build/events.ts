// The event sink of one build run: batches progress events and log lines into BuildEvent rows
// and publishes each batch on `build:<id>` only after it is stored, so a browser that replays
// the stored rows and then follows the channel never misses or reorders an event. Storing goes
// through the one appender of build events (@oscompose/db buildEventStore), which renumbers a
// batch whose seqs the web app took meanwhile (a cancel's status event).

import type { BuildEventMessage, BuildEventType } from '@oscompose/queue';

export interface EventStore {
  /** Highest stored seq of the build, or -1. */
  lastSeq(buildId: string): Promise<number>;
  /** Stores the rows; returns them as stored when it renumbered them (the db store does). */
  insert(rows: BuildEventMessage[]): Promise<BuildEventMessage[] | void>;
}

export type Publish = (messages: BuildEventMessage[]) => Promise<void>;

export interface EventSinkOptions {
  flushMs?: number;
  /** Minimum spacing of `progress` events for the same stage+section. */
  progressMs?: number;
  onError?: (err: unknown) => void;
  now?: () => Date;
}

export class BuildEventSink {
  private seq = 0;
  private pending: BuildEventMessage[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private lastProgress = new Map<string, number>();
  private heldProgress = new Map<string, { type: BuildEventType; data: Record<string, unknown> }>();

  private constructor(
    readonly buildId: string,
    private store: EventStore,
    private publish: Publish,
    private opts: Required<Omit<EventSinkOptions, 'onError'>> & Pick<EventSinkOptions, 'onError'>,
  ) {}

  /** Continues the build's numbering after whatever an earlier run stored. */
  static async open(buildId: string, store: EventStore, publish: Publish, opts: EventSinkOptions = {}): Promise<BuildEventSink> {
    const sink = new BuildEventSink(buildId, store, publish, { flushMs: 200, progressMs: 250, now: () => new Date(), ...opts });
    sink.seq = (await store.lastSeq(buildId)) + 1;
    return sink;
  }

  emit(type: BuildEventType, data: Record<string, unknown>): void {
    if (type === 'progress') {
      const k = `${data.stage ?? ''}/${data.section ?? ''}`;
      const t = this.opts.now().getTime();
      const done = typeof data.done === 'number' && typeof data.total === 'number' && data.done >= data.total;
      const last = this.lastProgress.get(k);
      if (!done && last !== undefined && t - last < this.opts.progressMs) {
        this.heldProgress.set(k, { type, data }); // the latest value goes out with the next flush
        this.schedule();
        return;
      }
      this.lastProgress.set(k, t);
      this.heldProgress.delete(k);
    }
    this.push(type, data);
  }

  private push(type: BuildEventType, data: Record<string, unknown>): void {
    this.pending.push({ buildId: this.buildId, seq: this.seq++, time: this.opts.now().toISOString(), type, data });
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.opts.flushMs);
  }

  /** Stores and publishes everything emitted so far. Store failures are reported, never thrown. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (const [k, held] of this.heldProgress) {
      this.lastProgress.set(k, this.opts.now().getTime());
      this.push(held.type, held.data);
    }
    this.heldProgress.clear();
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      if (!batch.length) return;
      let stored: BuildEventMessage[];
      try {
        stored = (await this.store.insert(batch)) ?? batch;
      } catch (err) {
        this.opts.onError?.(err);
        return; // not stored → not published: the stream stays consistent with the replay
      }
      // Renumbered after another writer's event: what comes next follows on from it.
      this.seq = Math.max(this.seq, stored[stored.length - 1]!.seq + 1);
      await this.publish(stored).catch((err) => this.opts.onError?.(err));
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
