import { describe, expect, it } from 'vitest';
import { healthReport, type Probes } from './health';

const worker = {
  id: 'w1', hostname: 'h', pid: 1, version: '0.1.0', startedAt: '', seenAt: '', concurrency: 1, activeJobs: 0, state: 'idle' as const,
};
const ok: Probes = { database: async () => {}, redis: async () => {}, workers: async () => [worker] };

describe('health report', () => {
  it('is ok when the database, Redis and a worker are up', async () => {
    expect(await healthReport(ok)).toEqual({ status: 'ok', database: 'up', redis: 'up', workers: [worker], problems: [], warnings: [] });
  });

  it('carries the supervisor warnings without calling the service down', async () => {
    const r = await healthReport({ ...ok, warnings: async () => ['The worker keeps crashing'] });
    expect(r).toMatchObject({ status: 'ok', problems: [], warnings: ['The worker keeps crashing'] });
  });

  it('is down without workers, and says how to start one', async () => {
    const r = await healthReport({ ...ok, workers: async () => [] });
    expect(r.status).toBe('down');
    expect(r.problems.join()).toContain('none is running');
  });

  it('names the service that is down', async () => {
    const r = await healthReport({ ...ok, database: async () => Promise.reject(new Error('SQLITE_CANTOPEN')) });
    expect(r).toMatchObject({ status: 'down', database: 'down', redis: 'up' });
    expect(r.problems).toEqual(['database: SQLITE_CANTOPEN (check DATABASE_URL)']);
  });

  it('bounds a probe that hangs', async () => {
    const r = await healthReport({ ...ok, redis: () => new Promise(() => {}) }, 50);
    expect(r).toMatchObject({ status: 'down', redis: 'down', workers: [] });
    expect(r.problems[0]).toContain('timed out');
  });
});
