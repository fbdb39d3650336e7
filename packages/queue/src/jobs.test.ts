import { describe, expect, it } from 'vitest';
import { buildJobOptions, JobPayloadError, parseBuildJob } from './jobs';

describe('build job payload', () => {
  it('accepts { buildId }', () => {
    expect(parseBuildJob({ buildId: 'clx123' })).toEqual({ buildId: 'clx123' });
  });

  it.each([
    [undefined, 'expected { buildId: string }'],
    [{}, 'buildId'],
    [{ buildId: '' }, 'buildId must not be empty'],
    [{ buildId: 42 }, 'buildId'],
    [{ buildId: 'x', spec: 'kernel: …' }, 'expected { buildId: string }'],
  ])('rejects %j with a message naming the problem', (data, fragment) => {
    expect(() => parseBuildJob(data)).toThrow(JobPayloadError);
    expect(() => parseBuildJob(data)).toThrow(fragment);
  });

  it('uses the build id as job id so a build is queued once', () => {
    expect(buildJobOptions('b1').jobId).toBe('b1');
  });

  it('maps higher build priority to a lower BullMQ priority number (sooner)', () => {
    expect(buildJobOptions('a', 10).priority).toBeLessThan(buildJobOptions('b', 0).priority);
    expect(buildJobOptions('c', 1_000_000).priority).toBe(1);
  });
});
