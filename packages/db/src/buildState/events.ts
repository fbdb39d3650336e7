// The one appender of a build's events (BuildEvent rows). Both processes append to one sequence
// per build: the worker's runs (through its batching sink) and the web app (a cancel before any
// worker saw the build). A seq another process took first is not an error: the batch is
// renumbered after the highest stored seq and stored again, so no event is lost or duplicated.

import type { PrismaClient } from '../client';
import { isUniqueViolation } from '../errors';

/** One stored event, as it is also published (`time` is ISO 8601; `data` the JSON payload). */
export interface BuildEventRecord<T extends string = string> {
  buildId: string;
  seq: number;
  time: string;
  type: T;
  data: Record<string, unknown>;
}

export interface BuildEventStore {
  /** Highest stored seq of the build, or -1. */
  lastSeq(buildId: string): Promise<number>;
  /** Stores rows of one build in order; returns them as stored (renumbered if their seqs were taken). */
  insert<R extends BuildEventRecord>(rows: R[]): Promise<R[]>;
}

const ATTEMPTS = 5;

export function buildEventStore(db: Pick<PrismaClient, 'buildEvent'>): BuildEventStore {
  async function lastSeq(buildId: string): Promise<number> {
    const agg = await db.buildEvent.aggregate({ where: { buildId }, _max: { seq: true } });
    return agg._max.seq ?? -1;
  }
  return {
    lastSeq,
    async insert(rows) {
      if (!rows.length) return rows;
      let batch = rows;
      for (let attempt = 1; ; attempt++) {
        try {
          await db.buildEvent.createMany({
            data: batch.map((r) => ({ buildId: r.buildId, seq: r.seq, time: new Date(r.time), type: r.type, payload: JSON.stringify(r.data) })),
          });
          return batch;
        } catch (err) {
          if (!isUniqueViolation(err) || attempt >= ATTEMPTS) throw err;
          const next = (await lastSeq(batch[0]!.buildId)) + 1;
          batch = batch.map((r, i) => ({ ...r, seq: next + i }));
        }
      }
    },
  };
}

/** Appends one event after the build's stored ones; returns it as stored. */
export async function appendBuildEvent<T extends string>(
  store: BuildEventStore,
  buildId: string,
  type: T,
  data: Record<string, unknown>,
): Promise<BuildEventRecord<T>> {
  const row: BuildEventRecord<T> = { buildId, seq: (await store.lastSeq(buildId)) + 1, time: new Date().toISOString(), type, data };
  const [stored] = await store.insert([row]);
  return stored!;
}
