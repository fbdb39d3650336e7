import { describe, expect, it } from 'vitest';
import { ConfigError, loadWorkerConfig } from './config';

describe('worker config', () => {
  it('works with an empty environment (fresh clone defaults)', () => {
    const c = loadWorkerConfig({}, '/repo');
    expect(c).toMatchObject({
      databaseUrl: 'file:./data/oscompose.db',
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: undefined, // derived from the database (installationRedisPrefix)
      dataDir: '/repo/data',
      concurrency: 1,
      shutdownGraceMs: 60_000,
      bootCheck: true,
      logLevel: 'info',
    });
    expect(c.workerId).toMatch(/-\d+$/);
  });

  it('reads settings and treats empty strings as unset', () => {
    const c = loadWorkerConfig(
      { WORKER_CONCURRENCY: '3', WORKER_ID: 'w1', WORKER_BOOT_CHECK: 'false', REDIS_URL: '', OSCOMPOSE_DATA_DIR: '/srv/data' },
      '/repo',
    );
    expect(c).toMatchObject({ concurrency: 3, workerId: 'w1', bootCheck: false, redisUrl: 'redis://127.0.0.1:6379', dataDir: '/srv/data' });
  });

  it('takes OSCOMPOSE_REDIS_PREFIX, or the older REDIS_PREFIX', () => {
    expect(loadWorkerConfig({ OSCOMPOSE_REDIS_PREFIX: 'a', REDIS_PREFIX: 'b' }).redisPrefix).toBe('a');
    expect(loadWorkerConfig({ REDIS_PREFIX: 'b' }).redisPrefix).toBe('b');
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadWorkerConfig({ WORKER_CONCURRENCY: 'many', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('WORKER_CONCURRENCY');
    expect(message).toContain('REDIS_URL: must start with redis://');
    expect(message).toContain('LOG_LEVEL');
  });

  it('reads the operator\'s allowed registries (the own registry always among them)', () => {
    expect(loadWorkerConfig({}, '/repo').allowedRegistries).toEqual(expect.arrayContaining(['docker.io', 'localhost:5000']));
    expect(loadWorkerConfig({ OSCOMPOSE_ALLOWED_REGISTRIES: '127.0.0.1:5055' }, '/repo').allowedRegistries).toEqual(['127.0.0.1:5055', 'localhost:5000']);
  });

  it('has a default for every build limit and reads byte counts with units', () => {
    expect(loadWorkerConfig({}, '/repo')).toMatchObject({
      limits: { buildSeconds: 3600, buildUnpackedBytes: 16 * 2 ** 30, imageUnpackedBytes: 4 * 2 ** 30, imageEntries: 1_000_000, artifactBytes: 16 * 2 ** 30 },
      teamConcurrency: 2,
    });
    const c = loadWorkerConfig({ OSCOMPOSE_BUILD_MAX_UNPACKED_BYTES: '512M', OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES: '1.5GiB', OSCOMPOSE_BUILD_MAX_ARTIFACT_BYTES: '1048576', OSCOMPOSE_TEAM_CONCURRENCY: '0' }, '/repo');
    expect(c.limits).toMatchObject({ buildUnpackedBytes: 512 * 2 ** 20, imageUnpackedBytes: 1.5 * 2 ** 30, artifactBytes: 1 << 20 });
    expect(c.teamConcurrency).toBe(0);
    expect(() => loadWorkerConfig({ OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES: 'lots' })).toThrow(/OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES: a byte count such as/);
  });

  it('keeps the operator\'s OSCOMPOSE_REGISTRY_AUTH_<HOST> credentials (and only those) for the engine', () => {
    const c = loadWorkerConfig({ OSCOMPOSE_REGISTRY_AUTH_GHCR_IO: 'me:token', OSCOMPOSE_REGISTRY_AUTH_EMPTY: '', HOME: '/root' }, '/repo');
    expect(c.registryAuth).toEqual({ OSCOMPOSE_REGISTRY_AUTH_GHCR_IO: 'me:token' });
  });
});
