import { describe, expect, it } from 'vitest';
import type { BuildEventMessage } from '@oscompose/queue';
import { BuildEventSink } from './events';

function memory(startSeq = -1) {
  const stored: BuildEventMessage[] = [];
  const published: BuildEventMessage[] = [];
  return {
    stored,
    published,
    store: { lastSeq: async () => startSeq, insert: async (rows: BuildEventMessage[]) => void stored.push(...rows) },
    publish: async (rows: BuildEventMessage[]) => {
      // Published rows must already be stored.
      for (const r of rows) expect(stored.some((s) => s.seq === r.seq)).toBe(true);
      published.push(...rows);
    },
  };
}

describe('BuildEventSink', () => {
  it('numbers events after what an earlier run stored, stores before publishing', async () => {
    const m = memory(41);
    const sink = await BuildEventSink.open('b1', m.store, m.publish, { flushMs: 10_000 });
    sink.emit('stage', { stage: 'resolve' });
    sink.emit('log', { message: 'hello' });
    expect(m.stored).toHaveLength(0); // batched
    await sink.close();
    expect(m.stored.map((e) => [e.seq, e.type])).toEqual([[42, 'stage'], [43, 'log']]);
    expect(m.published.map((e) => e.seq)).toEqual([42, 43]);
  });

  it('thins out progress events but keeps the latest value and the last one', async () => {
    const m = memory();
    let t = 0;
    const sink = await BuildEventSink.open('b1', m.store, m.publish, { flushMs: 10_000, progressMs: 100, now: () => new Date(t) });
    for (let done = 1; done <= 50; done++) {
      t = done; // 50 events within 50 ms
      sink.emit('progress', { stage: 'fetch', section: 'k', done, total: 100 });
    }
    await sink.close();
    const dones = m.stored.map((e) => e.data.done);
    expect(dones).toEqual([1, 50]);
  });

  it('does not publish a batch it could not store', async () => {
    const errors: unknown[] = [];
    const published: unknown[] = [];
    const sink = await BuildEventSink.open(
      'b1',
      { lastSeq: async () => -1, insert: async () => Promise.reject(new Error('db down')) },
      async (rows) => void published.push(...rows),
      { onError: (e) => errors.push(e) },
    );
    sink.emit('log', { message: 'x' });
    await sink.close();
    expect(published).toEqual([]);
    expect(errors).toHaveLength(1);
  });
});
