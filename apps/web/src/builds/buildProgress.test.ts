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
