import { describe, expect, it } from 'vitest';
import { applyEvent, initialProgress, type BuildStreamEvent } from './buildProgress';

describe('build progress from events', () => {
  it('opens stages in order, counts progress, and closes them on success', () => {
    const events: BuildStreamEvent[] = [
      { type: 'status', data: { status: 'running' } },
      { type: 'stage', data: { stage: 'resolve', total: 2, done: 0 } },
      { type: 'progress', data: { stage: 'resolve', done: 2, total: 2, message: 'k:1 → sha256:aa' } },
      { type: 'stage', data: { stage: 'assemble', total: 3, done: 0 } },
      { type: 'log', data: { stage: 'compress', level: 'info', message: 'kernel: building' } },
      { type: 'status', data: { status: 'succeeded' } },
    ];
    const p = events.reduce(applyEvent, initialProgress());
    expect(p.status).toBe('succeeded');
    expect(p.stages.map((s) => [s.name, s.state])).toEqual([['resolve', 'done'], ['assemble', 'done'], ['compress', 'done']]);
    expect(p.stages[0]).toMatchObject({ done: 2, total: 2 });
    expect(p.log.map((l) => l.message)).toContain('kernel: building');
  });

  it('shows the final state only after success: every stage counts its whole total, one status line', () => {
    const events: BuildStreamEvent[] = [
      { type: 'status', data: { status: 'queued' } },
      { type: 'status', data: { status: 'running' } },
      { type: 'stage', data: { stage: 'resolve', total: 2, done: 0 } },
      { type: 'progress', data: { stage: 'resolve', done: 1, total: 2 } },
      { type: 'stage', data: { stage: 'output', total: 1, done: 0 } },
      { type: 'stage', data: { stage: 'publish', total: 3, done: 0 } },
      { type: 'log', data: { level: 'info', message: 'published 3 artifacts' } },
      { type: 'status', data: { status: 'succeeded' } },
    ];
    const p = events.reduce(applyEvent, initialProgress());
    expect(p.stages.map((s) => [s.name, s.state, s.done, s.total])).toEqual([
      ['resolve', 'done', 2, 2],
      ['output', 'done', 1, 1],
      ['publish', 'done', 3, 3],
    ]);
    expect(p.log.map((l) => l.message)).toEqual(['published 3 artifacts', 'status: succeeded']);
  });

  it('keeps a failed stage at the count it reached', () => {
    const p = [
      { type: 'stage', data: { stage: 'fetch', total: 4, done: 1 } },
      { type: 'status', data: { status: 'failed', error: 'registry down' } },
    ].reduce(applyEvent, initialProgress());
    expect(p.stages[0]).toMatchObject({ state: 'failed', done: 1, total: 4 });
  });

  it('writes artifact and boot check events as readable lines', () => {
    const p = [
      { type: 'artifact', data: { name: 'os-kernel', format: 'kernel+initrd', size: 12, sha256: 'ab' } },
      { type: 'bootcheck', data: { format: 'kernel+initrd', ok: true, containers: [{ phase: 'onboot', name: '000-hello', status: 'exited', exitCode: 0 }] } },
    ].reduce(applyEvent, initialProgress());
    expect(p.log.map((l) => l.message)).toEqual(['artifact os-kernel (12 bytes) sha256:ab', 'boot check kernel+initrd: booted — 000-hello exited (0)']);
  });

  it('marks the running stage failed and keeps the error', () => {
    const p = [
      { type: 'stage', data: { stage: 'resolve' } },
      { type: 'status', data: { status: 'failed', error: 'localhost:5000/x:1 not found' } },
    ].reduce(applyEvent, initialProgress());
    expect(p.stages[0]?.state).toBe('failed');
    expect(p.error).toBe('localhost:5000/x:1 not found');
  });
});
