import { describe, expect, it } from 'vitest';
import { BUILD_STATUSES, FINAL_STATUSES, canTransition, isFinalStatus, statusesBefore } from './status';

describe('build status', () => {
  it('never leaves a final status', () => {
    for (const from of FINAL_STATUSES) for (const to of BUILD_STATUSES) expect(canTransition(from, to)).toBe(false);
  });

  it('lets only a queued or running build be claimed, canceled or finished', () => {
    expect(statusesBefore('running')).toEqual(['queued', 'running']);
    expect(statusesBefore('canceled')).toEqual(['queued', 'running']);
    expect(statusesBefore('succeeded')).toEqual(['running']);
    expect(canTransition('queued', 'succeeded')).toBe(false);
    expect(canTransition('nonsense', 'running')).toBe(false);
  });

  it('knows the final statuses', () => {
    expect(BUILD_STATUSES.filter((s) => isFinalStatus(s))).toEqual(['succeeded', 'failed', 'canceled']);
    expect(isFinalStatus(undefined)).toBe(false);
  });
});
