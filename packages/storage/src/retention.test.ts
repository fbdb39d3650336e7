import { describe, expect, it } from 'vitest';
import { planRetention } from './retention';

const now = new Date('2026-01-31T00:00:00Z');
const day = (d: number) => new Date(now.getTime() - d * 86_400_000);

describe('planRetention', () => {
  it('expires old unpinned builds but keeps the recent, the pinned and the last N', () => {
    const plan = planRetention(
      [
        { id: 'new', finishedAt: day(1), pinned: false, keys: ['builds/new/a'] },
        { id: 'old', finishedAt: day(40), pinned: false, keys: ['builds/old/a'] },
        { id: 'older', finishedAt: day(50), pinned: false, keys: ['builds/older/a'] },
        { id: 'pinned', finishedAt: day(90), pinned: true, keys: ['builds/pinned/a'] },
        { id: 'running', finishedAt: null, pinned: false, keys: [] },
      ],
      { keepDays: 30, keepLast: 2 },
      now,
    );
    // keepLast counts the running build and "new": "old" and "older" go.
    expect(plan.expiredBuildIds).toEqual(['old', 'older']);
    expect(plan.deleteKeys).toEqual(['builds/old/a', 'builds/older/a']);
  });

  it('counts keepLast per composition', () => {
    const plan = planRetention(
      [
        { id: 'a1', finishedAt: day(40), pinned: false, group: 'a', keys: ['k/a1'] },
        { id: 'a2', finishedAt: day(50), pinned: false, group: 'a', keys: ['k/a2'] },
        { id: 'b1', finishedAt: day(60), pinned: false, group: 'b', keys: ['k/b1'] },
      ],
      { keepDays: 30, keepLast: 1 },
      now,
    );
    expect(plan.expiredBuildIds).toEqual(['a2']);
  });

  it('keeps an object a kept cached build still points at', () => {
    const plan = planRetention(
      [
        { id: 'orig', finishedAt: day(60), pinned: false, keys: ['builds/orig/k'] },
        { id: 'cached', finishedAt: day(2), pinned: false, keys: ['builds/orig/k'] },
      ],
      { keepDays: 30, keepLast: 0 },
      now,
    );
    expect(plan.expiredBuildIds).toEqual(['orig']);
    expect(plan.deleteKeys).toEqual([]);
  });
});
