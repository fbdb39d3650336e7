import { describe, expect, it } from 'vitest';
import { CRASH_LOOP_COUNT, afterExit, initialChildState } from './supervise.mjs';

describe('restart rules', () => {
  it('backs off 1, 2, 4 … s while a child keeps failing fast, up to 30 s', () => {
    let s = { ...initialChildState(), delayMs: 0, keepsCrashing: false };
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      s = afterExit(s, { at: i * 1000, ranMs: 500, exit: 'code 1' });
      delays.push(s.delayMs);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('restarts quickly again after a child ran a while', () => {
    let s = afterExit(initialChildState(), { at: 0, ranMs: 100, exit: 'code 1' });
    s = afterExit(s, { at: 1000, ranMs: 100, exit: 'code 1' });
    expect(s.delayMs).toBe(2000);
    s = afterExit(s, { at: 600_000, ranMs: 300_000, exit: 'SIGKILL' });
    expect(s.delayMs).toBe(1000);
  });

  it(`keeps crashing at ${CRASH_LOOP_COUNT} exits within 5 minutes, not when they are spread out`, () => {
    let s = afterExit(initialChildState(), { at: 0, ranMs: 100_000, exit: 'SIGKILL' });
    s = afterExit(s, { at: 60_000, ranMs: 100_000, exit: 'SIGKILL' });
    expect(s.keepsCrashing).toBe(false);
    s = afterExit(s, { at: 120_000, ranMs: 100_000, exit: 'SIGKILL' });
    expect(s.keepsCrashing).toBe(true);
    expect(s.restarts).toBe(3);
    s = afterExit(s, { at: 1_000_000, ranMs: 100_000, exit: 'code 1' });
    expect(s).toMatchObject({ keepsCrashing: false, restarts: 4 });
    expect(s.recentExits).toEqual([{ at: 1_000_000, exit: 'code 1' }]);
  });
});
