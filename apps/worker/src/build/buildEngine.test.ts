// The engine step's registry credentials come from the worker's config and nowhere else: an
// operator's OSCOMPOSE_REGISTRY_AUTH_<HOST> reaches a registry with basic auth when the config
// hands it over, and the same variable left in the process environment does not.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialEnvName } from '@oscompose/engine';
import { makeImage, pushImage, type MemoryImage } from '@oscompose/engine/testing';
import { startRegistry, type TestRegistry } from '@oscompose/queue/testing';
import { loadWorkerConfig } from '../config';
import { createBuildEngine } from './buildEngine';

let dir: string;
let registry: TestRegistry;
let kernel: MemoryImage;
let init: MemoryImage;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-engine-step-'));
  registry = await startRegistry({ auth: 'basic' });
  const login = { username: registry.username!, password: registry.password! };
  kernel = await makeImage({ files: { kernel: 'not really a kernel\n' } });
  init = await makeImage({ files: { 'sbin/init': '#!/bin/sh\n' } });
  await pushImage(registry.host, `${registry.host}/test/kernel:1`, kernel, login);
  await pushImage(registry.host, `${registry.host}/test/init:1`, init, login);
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const spec = () => `kernel:\n  image: ${registry.host}/test/kernel:1\ninit:\n  - ${registry.host}/test/init:1\n`;

function resolveWith(env: Record<string, string>) {
  const config = loadWorkerConfig({ ...env, OSCOMPOSE_DATA_DIR: dir }, dir);
  const engine = createBuildEngine({ cacheDir: path.join(dir, `cache-${Object.keys(env).length}`), imageStores: [], registryAuth: config.registryAuth });
  return engine.resolve(spec(), { signal: new AbortController().signal, onEvent: () => {}, registries: { operator: [registry.host] } });
}

describe('the engine step and registry credentials', () => {
  it('pulls from a registry with basic auth with the credentials of the worker config', async () => {
    const resolved = await resolveWith({ [credentialEnvName(registry.host)]: `${registry.username}:${registry.password}` });
    expect(resolved.text).toContain(`${registry.host}/test/kernel:1@${kernel.digest}`);
    expect(resolved.text).toContain(`${registry.host}/test/init:1@${init.digest}`);
  });

  it('does not take them from the process environment behind the config', async () => {
    const name = credentialEnvName(registry.host);
    process.env[name] = `${registry.username}:${registry.password}`;
    try {
      await expect(resolveWith({})).rejects.toThrow(/401|unauthori[sz]ed|credentials/i);
    } finally {
      delete process.env[name];
    }
  });
});
