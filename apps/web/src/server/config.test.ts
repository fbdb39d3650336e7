import { describe, expect, it } from 'vitest';
import { ConfigError, loadWebConfig } from './config';

describe('web config', () => {
  it('works with an empty environment (fresh clone defaults)', () => {
    expect(loadWebConfig({}, '/repo')).toMatchObject({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      databaseUrl: 'file:./data/oscompose.db',
      redisUrl: 'redis://127.0.0.1:6379',
      dataDir: '/repo/data',
    });
  });

  it('reads PORT and PUBLIC_URL', () => {
    expect(loadWebConfig({ PORT: '8080', PUBLIC_URL: 'https://os.example.com/' })).toMatchObject({
      port: 8080,
      publicUrl: 'https://os.example.com',
    });
  });

  it('takes OSCOMPOSE_PUBLIC_URL, else PUBLIC_URL or BETTER_AUTH_URL; Secure cookies exactly when https', () => {
    expect(loadWebConfig({ OSCOMPOSE_PUBLIC_URL: 'http://os.lan:3000', PUBLIC_URL: 'https://x.example' })).toMatchObject({ publicUrl: 'http://os.lan:3000', publicUrlSet: true, secureCookies: false });
    expect(loadWebConfig({ BETTER_AUTH_URL: 'https://os.example.com' })).toMatchObject({ publicUrl: 'https://os.example.com', secureCookies: true });
    expect(loadWebConfig({ NODE_ENV: 'production', AUTH_SECRET: 'x'.repeat(32) })).toMatchObject({ publicUrl: 'http://localhost:3000', publicUrlSet: false, secureCookies: false });
  });

  it('requires AUTH_SECRET in production', () => {
    expect(() => loadWebConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_SECRET must be set/);
    expect(loadWebConfig({ NODE_ENV: 'production', AUTH_SECRET: 'x'.repeat(32) }).authSecret).toBe('x'.repeat(32));
  });

  it('names every bad variable', () => {
    expect(() => loadWebConfig({ PORT: 'eighty', AUTH_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => loadWebConfig({ PORT: 'eighty', AUTH_SECRET: 'short' })).toThrow(/PORT[\s\S]*AUTH_SECRET: must be at least 32/);
  });

  it('allows the public registries and the own registry by default; OSCOMPOSE_ALLOWED_REGISTRIES replaces the list', () => {
    const d = loadWebConfig({}, '/repo').allowedRegistries;
    expect(d).toEqual(expect.arrayContaining(['docker.io', 'ghcr.io', 'quay.io', 'gcr.io', 'registry.k8s.io', 'public.ecr.aws', 'localhost:5000']));
    expect(loadWebConfig({ OSCOMPOSE_ALLOWED_REGISTRIES: '127.0.0.1:5055, ghcr.io', OSCOMPOSE_REGISTRY: 'registry.lan:5000' }).allowedRegistries).toEqual(['127.0.0.1:5055', 'ghcr.io', 'registry.lan:5000']);
    expect(() => loadWebConfig({ OSCOMPOSE_ALLOWED_REGISTRIES: 'ghcr.io,http://x/y z' })).toThrow(/OSCOMPOSE_ALLOWED_REGISTRIES: not registry hosts: http:\/\/x\/y/);
  });

  it('keeps the operator\'s OSCOMPOSE_REGISTRY_AUTH_<HOST> credentials (and only those) for the engine', () => {
    const c = loadWebConfig({ OSCOMPOSE_REGISTRY_AUTH_GHCR_IO: 'me:token', OSCOMPOSE_REGISTRY_AUTH_EMPTY: '', HOME: '/root' }, '/repo');
    expect(c.registryAuth).toEqual({ OSCOMPOSE_REGISTRY_AUTH_GHCR_IO: 'me:token' });
  });
});
