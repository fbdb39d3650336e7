import { describe, expect, it } from 'vitest';
import { buildJobOptions, JobPayloadError, parseBuildJob } from './jobs';

describe('build job payload', () => {
  it('accepts { buildId }', () => {
    expect(parseBuildJob({ buildId: 'clx123' })).toEqual({ buildId: 'clx123' });
  });

  it.each([
    [undefined, 'expected { buildId: string, fresh?: boolean, installation?: string }'],
    [{}, 'buildId'],
    [{ buildId: '' }, 'buildId must not be empty'],
    [{ buildId: 42 }, 'buildId'],
    [{ buildId: 'x', spec: 'kernel: …' }, 'expected { buildId: string, fresh?: boolean, installation?: string }'],
    [{ buildId: 'x', fresh: 'yes' }, 'fresh'],
    [{ buildId: 'x', installation: '' }, 'installation'],
  ])('rejects %j with a message naming the problem', (data, fragment) => {
    expect(() => parseBuildJob(data)).toThrow(JobPayloadError);
    expect(() => parseBuildJob(data)).toThrow(fragment);
  });

  it('uses the build id as job id so a build is queued once', () => {
    expect(buildJobOptions('b1').jobId).toBe('b1');
  });

  it('accepts the fresh flag and retries transient failures with exponential backoff', () => {
    expect(parseBuildJob({ buildId: 'b1', fresh: true })).toEqual({ buildId: 'b1', fresh: true });
    expect(buildJobOptions('b1')).toMatchObject({ attempts: 3, backoff: { type: 'exponential', delay: 5000 } });
  });

  it('maps higher build priority to a lower BullMQ priority number (sooner)', () => {
    expect(buildJobOptions('a', 10).priority).toBeLessThan(buildJobOptions('b', 0).priority);
    expect(buildJobOptions('c', 1_000_000).priority).toBe(1);
  });
});
