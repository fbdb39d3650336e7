// The image store served at a registry address (issue 9): docker-registry configured and started
// exactly as `npm start` does (scripts/lib/registry.mjs), the real token route as its token server,
// a starter-style image in an image store mirrored with the system identity, then pulled
// anonymously by the engine's registry client by 127.0.0.1:PORT/oscompose/x:tag, as
// `linuxkit build` pulls it.
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, readBlob, readIndex, tarBuffer, writeImage } from '@oscompose/engine';
import { filesToEntries, pushImage } from '@oscompose/engine/testing';
import { freePort } from '@oscompose/queue/testing';
import { REGISTRY_HELP, findRegistryBinary, startRegistry } from '../../../scripts/lib/registry.mjs';
import { mirrorImageStore, publicImages } from '../src/server/registry/mirror';
import { useWebDatabase } from './support/database';
import { grant, parseScope, systemSecret } from '../src/server/auth/registryToken';

let dir: string;
let tokenServer: http.Server;
let stopRegistry: (() => void) | undefined;
let host: string;
let store: string;
let secret: string;
let starterDigest: string;

beforeAll(async () => {
  if (!findRegistryBinary()) throw new Error(REGISTRY_HELP);
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-mirror-'));
  process.env.OSCOMPOSE_REGISTRY_TOKEN_DIR = path.join(dir, 'registry-token');
  await useWebDatabase(dir);

  const { GET } = (await import('../app/api/v1/registry/token/route')) as { GET: (r: Request) => Promise<Response> };
  tokenServer = http.createServer(async (req, res) => {
    const r = await GET(new Request(`http://127.0.0.1${req.url}`, { headers: req.headers as Record<string, string> }));
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
  const webPort = (tokenServer.address() as AddressInfo).port;

  const port = await freePort();
  const started = await startRegistry({ dataDir: dir, webPort, env: { ...process.env, OSCOMPOSE_REGISTRY: `localhost:${port}`, OSCOMPOSE_REGISTRY_SERVE: '' } });
  if (!started.child) throw new Error(`the registry did not start: ${started.skipped}`);
  const child = started.child;
  stopRegistry = () => process.kill(-child.pid!, 'SIGTERM');
  host = started.host;
  secret = systemSecret(process.env.OSCOMPOSE_REGISTRY_TOKEN_DIR)!;
  expect(secret).toBe(started.secret);

  // A starter-style image store: oscompose/* images and a private team image.
  store = path.join(dir, 'images');
  const layer = async (text: string) => [await tarBuffer(filesToEntries({ 'etc/motd': { content: text } }))];
  starterDigest = (await writeImage(store, { ref: 'localhost:5000/oscompose/hello:0.1', layers: await layer('hello from the starter catalog\n'), labels: { 'org.mobyproject.config': '{"binds":["/etc:/hostetc"]}' } })).digest;
  await writeImage(store, { ref: 'localhost:5000/team-a/secret:1', layers: await layer('private\n') });
}, 60_000);

afterAll(async () => {
  stopRegistry?.();
  await new Promise<void>((r) => (tokenServer ? tokenServer.close(() => r()) : r()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What `linuxkit build` does with an exported spec: an anonymous pull by the registry address. */
const anonymous = () => new RegistryClient({ insecureRegistries: [host], dockerConfig: false, env: {} as NodeJS.ProcessEnv, retries: 0 });

describe('the image store at a registry address', () => {
  it('lists only the public oscompose/* images of the store for mirroring', async () => {
    const names = publicImages((await readIndex(store)).manifests).map((i) => `${i.repository}:${i.tag}`);
    expect(names).toEqual(['oscompose/hello:0.1']);
  });

  it('mirrors a starter image; anyone then pulls it by 127.0.0.1:PORT/oscompose/hello:0.1 with the store digest', async () => {
    await expect(anonymous().getManifest(`${host}/oscompose/hello:0.1`)).rejects.toThrow();
    const first = await mirrorImageStore({ imageStore: store, host, secret });
    expect(first.failed).toEqual([]);
    expect(first.pushed).toEqual([`${host}/oscompose/hello:0.1`]);

    const pulled = await anonymous().resolve(`${host}/oscompose/hello:0.1`);
    expect(pulled.digest).toBe(starterDigest);
    const blob = async (digest: string) => {
      const chunks: Buffer[] = [];
      for await (const c of await anonymous().blob(`${host}/oscompose/hello:0.1`, { digest })) chunks.push(c);
      return Buffer.concat(chunks);
    };
    // The LinuxKit label (org.mobyproject.config) travels with the config blob.
    expect((await blob(pulled.manifest.config.digest)).toString()).toContain('/etc:/hostetc');
    const layerDigest = pulled.manifest.layers[0]!.digest;
    expect((await blob(layerDigest)).equals(await readBlob(store, layerDigest))).toBe(true);
  });

  it('a second mirror pushes nothing (the tag already points at the same digest)', async () => {
    const again = await mirrorImageStore({ imageStore: store, host, secret });
    expect(again).toEqual({ pushed: [], unchanged: [`${host}/oscompose/hello:0.1`], failed: [] });
  });

  it('grants the system identity push on oscompose/* and nothing on team namespaces (policy)', () => {
    const system = { userId: 'oscompose-system', teamSlug: '', role: 'viewer' as const, scopes: [], system: true as const };
    expect(grant(parseScope('repository:oscompose/init:pull,push')!, system)).toEqual(['pull', 'push']);
    expect(grant(parseScope('repository:team-a/x:pull,push')!, system)).toEqual([]);
  });

  it('does not mirror team images, and the system secret is the only way to push oscompose/*', async () => {
    await expect(anonymous().getManifest(`${host}/team-a/secret:1`)).rejects.toThrow();
    await expect(pushImage(host, 'localhost:5000/oscompose/hello:0.2', store, { username: 'oscompose-system', password: 'x'.repeat(64) })).rejects.toThrow();
    await expect(pushImage(host, 'localhost:5000/oscompose/hello:0.1', store)).rejects.toThrow();
  });
});
