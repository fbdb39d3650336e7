// The policy at connect time, with real sockets and a real docker-registry: refused connections
// are never made (the listener counts none), names are checked after DNS, every redirect hop is
// checked, and the refusal reads the same whether or not anything listens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, pushImage } from '../testing/index';
import { freePort, startRegistry, type TestRegistry } from '@oscompose/queue/testing';
import { startConnectionCounter, startRedirectProxy } from '../testing/redirectProxy';
import { RegistryClient } from './client';
import { RegistryError } from './errors';
import { policyErrorOf, policyFetch } from './guard';

let counter: Awaited<ReturnType<typeof startConnectionCounter>>;
let registry: TestRegistry;
let digest: string;

beforeAll(async () => {
  counter = await startConnectionCounter();
  registry = await startRegistry();
  digest = await pushImage(registry.host, `${registry.host}/guard/hello:1`, await makeImage({ files: { 'bin/hello': 'hi' } }));
});
afterAll(async () => {
  await counter?.stop();
  await registry?.stop();
});

const refusal = async (url: string, operator: string[] = []) => {
  const e = await policyFetch({ operator })(url).then(() => undefined, (x: unknown) => x);
  return policyErrorOf(e)?.host;
};

describe('policyFetch', () => {
  it('never connects to a loopback IP, [::1], a name that resolves to loopback, or metadata', async () => {
    expect(await refusal(`http://127.0.0.1:${counter.port}/v2/`)).toBe(`127.0.0.1:${counter.port}`);
    expect(await refusal(`http://localhost:${counter.port}/v2/`)).toBe(`localhost:${counter.port}`);
    expect(await refusal(`http://[::1]:${counter.port}/v2/`)).toBe(`[::1]:${counter.port}`);
    expect(await refusal(`http://[::ffff:127.0.0.1]:${counter.port}/v2/`)).toBe(`[::ffff:7f00:1]:${counter.port}`);
    expect(await refusal('http://169.254.169.254/latest/meta-data/')).toBe('169.254.169.254');
    expect(await refusal(`http://2130706433:${counter.port}/`)).toBe(`127.0.0.1:${counter.port}`); // 127.0.0.1 in decimal
    expect(counter.connections()).toBe(0);
  });
  it('connects to exactly the host:port the operator allowed', async () => {
    const res = await policyFetch({ operator: [registry.host] })(`${registry.url}/v2/`);
    expect(res.status).toBe(200);
    expect(await refusal(`http://localhost:${registry.host.split(':')[1]}/v2/`, [registry.host])).toBe(`localhost:${registry.host.split(':')[1]}`);
  });
});

describe('RegistryClient with a policy', () => {
  const message = (host: string) => `registry ${host} is not allowed here; an admin can add it in Settings → Registries`;

  it('refuses a registry the policy does not name, at once and the same whether or not it listens', async () => {
    const silent = await freePort();
    for (const host of [`127.0.0.1:${counter.port}`, `127.0.0.1:${silent}`]) {
      const client = new RegistryClient({ policy: { operator: [registry.host] }, dockerConfig: false, env: {} });
      const e = (await client.resolve(`${host}/x/y:1`).catch((x: unknown) => x)) as RegistryError;
      expect(e).toBeInstanceOf(RegistryError);
      expect(e.code).toBe('not-allowed');
      expect(e.message).toBe(`${host}/x/y:1: ${message(host)}`);
    }
    expect(counter.connections()).toBe(0);
  });

  it('refuses a team-added name that resolves to loopback (checked after DNS)', async () => {
    const host = `localhost:${counter.port}`;
    const client = new RegistryClient({ policy: { operator: [], team: [host] }, dockerConfig: false, env: {}, retries: 0 });
    const e = (await client.resolve(`${host}/x/y:1`).catch((x: unknown) => x)) as RegistryError;
    expect(e.message).toBe(`${host}/x/y:1: ${message(host)}`);
    expect(counter.connections()).toBe(0);
  });

  it('pulls from an operator-allowed loopback registry, and refuses its redirect of a blob to another loopback port', async () => {
    const ok = new RegistryClient({ policy: { operator: [registry.host] }, dockerConfig: false, env: {} });
    const img = await ok.resolve(`${registry.host}/guard/hello:1`);
    expect(img.digest).toBe(digest);

    const silent = await freePort();
    for (const target of [`127.0.0.1:${counter.port}`, `127.0.0.1:${silent}`]) {
      const proxy = await startRedirectProxy({ upstream: registry.host, redirectBlobsTo: `http://${target}` });
      try {
        const client = new RegistryClient({ policy: { operator: [proxy.host] }, dockerConfig: false, env: {} });
        const image = await client.resolve(`${proxy.host}/guard/hello:1`);
        const e = (await client.blob(`${proxy.host}/guard/hello:1`, image.manifest.config).catch((x: unknown) => x)) as RegistryError;
        expect(proxy.redirected.length).toBe(1);
        expect(e.code).toBe('not-allowed');
        expect(e.message).toBe(`${proxy.host}/guard/hello:1: ${message(target)}`);
      } finally {
        await proxy.stop();
      }
    }
    expect(counter.connections()).toBe(0);
  });

  it('without a policy (the CLI) follows the same redirect, as linuxkit does', async () => {
    const proxy = await startRedirectProxy({ upstream: registry.host, redirectBlobsTo: registry.url });
    try {
      const client = new RegistryClient({ dockerConfig: false, env: {} });
      const image = await client.resolve(`${proxy.host}/guard/hello:1`);
      const chunks: Buffer[] = [];
      for await (const c of await client.blob(`${proxy.host}/guard/hello:1`, image.manifest.config)) chunks.push(c);
      expect(JSON.parse(Buffer.concat(chunks).toString()).rootfs).toBeDefined();
      expect(proxy.redirected.length).toBe(1);
    } finally {
      await proxy.stop();
    }
  });
});
