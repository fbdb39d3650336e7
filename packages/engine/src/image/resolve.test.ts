// Integration: the resolver against a real docker-registry on 127.0.0.1 (started here), OCI
// layout directories and archive tarballs.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FsEntry } from '../oci/entry';
import { ArchiveError } from '../oci/errors';
import { writeImage } from '../oci/layout';
import { tarBuffer } from '../oci/tar';
import { credentialEnvName } from '../registry/credentials';
import { RegistryError } from '../registry/errors';
import { makeImage, makeIndex, type MemoryImage } from '../testing/image';
import { pushImage } from '../testing/registry';
import { startRegistry, type TestRegistry } from '@oscompose/queue/testing';
import { flattenImage } from './flatten';
import { createImageResolver, type ImageResolverOptions } from './resolve';
import { tempDirs } from '../testing/tmp';

const dirs = tempDirs('resolve-test-');
const tmp = dirs.make;
afterAll(dirs.cleanup);

async function files(image: Parameters<typeof flattenImage>[0]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of flattenImage(image)) out[e.path] = await text(e);
  return out;
}
async function text(e: FsEntry): Promise<string> {
  if (e.type !== 'file') return e.type;
  const chunks: Buffer[] = [];
  if (Buffer.isBuffer(e.content)) chunks.push(e.content);
  else if (e.content) for await (const c of e.content) chunks.push(c);
  return Buffer.concat(chunks).toString();
}
async function error(p: Promise<unknown>): Promise<RegistryError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(RegistryError);
  return e as RegistryError;
}
/** No ~/.docker/config.json, no env credentials: each test says what it gives. */
const isolated = (o: ImageResolverOptions & { env?: NodeJS.ProcessEnv }): ImageResolverOptions => ({
  ...o,
  registry: { dockerConfig: false, env: o.env ?? {}, retryDelayMs: 10, ...o.registry },
});

let app: MemoryImage;
beforeAll(async () => {
  app = await makeImage({
    layers: [{ 'bin/app': { content: 'v1', mode: 0o755 }, 'etc/old.conf': 'old' }, { 'etc/.wh.old.conf': '', 'etc/app.conf': 'conf' }],
    config: { Cmd: ['/bin/app'] },
    labels: { 'org.mobyproject.config': '{"capabilities":["CAP_NET_ADMIN"]}' },
  });
});

describe('registry without auth', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
    await pushImage(reg.host, `${reg.host}/test/app:v1`, app);
  });
  afterAll(() => reg?.stop());

  it('resolves a tag to the manifest digest, config and layers, and flattens the image', async () => {
    const resolver = createImageResolver(isolated({ cacheDir: tmp() }));
    const img = await resolver.resolve(`${reg.host}/test/app:v1`);
    expect(img).toMatchObject({ reference: `${reg.host}/test/app:v1`, digest: app.digest, source: 'registry', pinned: `${reg.host}/test/app:v1@${app.digest}` });
    expect(img.config.config?.Labels?.['org.mobyproject.config']).toContain('CAP_NET_ADMIN');
    expect(img.layers).toHaveLength(2);
    expect(await files(img)).toEqual({ bin: 'dir', etc: 'dir', 'bin/app': 'v1', 'etc/app.conf': 'conf' });
  });

  it('serves a second resolve from the cache, even with the registry gone; --pull asks the registry', async () => {
    const cacheDir = tmp();
    const r1 = createImageResolver(isolated({ cacheDir }));
    await r1.fetchLayers(await r1.resolve(`${reg.host}/test/app:v1`));
    const offline = createImageResolver(isolated({ cacheDir, registry: { fetch: () => Promise.reject(new Error('network must not be used')) } }));
    const img = await offline.resolve(`${reg.host}/test/app:v1`);
    expect(img.source).toBe('cache');
    expect((await files(img))['bin/app']).toBe('v1');
    const pulling = createImageResolver(isolated({ cacheDir, pull: true, registry: { fetch: () => Promise.reject(new Error('no network')), retries: 0 } }));
    const e = await error(pulling.resolve(`${reg.host}/test/app:v1`));
    expect(e.code).toBe('network');
  });

  it('reports fetch progress in bytes up to the image size', async () => {
    const resolver = createImageResolver(isolated({ cacheDir: tmp() }));
    const img = await resolver.resolve(`${reg.host}/test/app:v1`);
    const seen: [number, number][] = [];
    await resolver.fetchLayers(img, (done, total) => seen.push([done, total]));
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toEqual([img.size, img.size]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
  });

  it('a missing image is a 404 RegistryError that names the reference', async () => {
    const resolver = createImageResolver(isolated({ cacheDir: tmp() }));
    const e = await error(resolver.resolve(`${reg.host}/test/nope:v9`));
    expect(e.status).toBe(404);
    expect(e.reference).toBe(`${reg.host}/test/nope:v9`);
    expect(e.message).toMatch(new RegExp(`^${reg.host}/test/nope:v9: not found \\(404\\)`));
  });

  it('picks linux/<arch> from an image index', async () => {
    const amd = await makeImage({ files: { arch: 'amd64' }, architecture: 'amd64' });
    const arm = await makeImage({ files: { arch: 'arm64' }, architecture: 'arm64' });
    const index = makeIndex([amd, arm]);
    await pushImage(reg.host, `${reg.host}/test/multi:1`, index);
    const a = await createImageResolver(isolated({ cacheDir: tmp() })).resolve(`${reg.host}/test/multi:1`);
    expect(a).toMatchObject({ digest: amd.digest, indexDigest: index.digest, pinned: `${reg.host}/test/multi:1@${index.digest}` });
    const cacheDir = tmp();
    const b = await createImageResolver(isolated({ cacheDir, arch: 'arm64' })).resolve(`${reg.host}/test/multi:1`);
    expect(b.digest).toBe(arm.digest);
    expect((await files(b)).arch).toBe('arm64');
    // The index is cached; another arch from the same cache fetches its manifest by digest.
    const c = await createImageResolver(isolated({ cacheDir })).resolve(`${reg.host}/test/multi:1`);
    expect(c).toMatchObject({ digest: amd.digest, source: 'cache' });
    const e = await error(createImageResolver(isolated({ cacheDir: tmp(), arch: 's390x' })).resolve(`${reg.host}/test/multi:1`));
    expect(e.message).toMatch(/no linux\/s390x image .*linux\/amd64, linux\/arm64/);
  });

  it('resolves by digest', async () => {
    const img = await createImageResolver(isolated({ cacheDir: tmp() })).resolve(`${reg.host}/test/app@${app.digest}`);
    expect(img.digest).toBe(app.digest);
  });

  it('refuses a blob whose bytes do not match its digest and keeps nothing', async () => {
    const victim = await makeImage({ files: { 'etc/motd': 'the real motd' } });
    await pushImage(reg.host, `${reg.host}/test/tampered:1`, victim);
    const layer = victim.manifest.layers[0]!.digest.slice(7);
    const data = join(reg.storage, 'docker/registry/v2/blobs/sha256', layer.slice(0, 2), layer, 'data');
    const bytes = readFileSync(data);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    writeFileSync(data, bytes);
    const cacheDir = tmp();
    const resolver = createImageResolver(isolated({ cacheDir }));
    const img = await resolver.resolve(`${reg.host}/test/tampered:1`);
    const e = await error(resolver.fetchLayers(img));
    expect(e.code).toBe('digest-mismatch');
    expect(e.message).toMatch(/arrived with digest sha256:[0-9a-f]{64}/);
    expect(existsSync(join(cacheDir, 'blobs/sha256', layer))).toBe(false);
    expect(readdirSync(join(cacheDir, 'blobs/sha256')).filter((n) => n.startsWith('.tmp'))).toEqual([]);
  });

  it('refuses a manifest whose bytes do not match its digest', async () => {
    const victim = await makeImage({ files: { 'etc/issue': 'x' } });
    await pushImage(reg.host, `${reg.host}/test/badmanifest:1`, victim);
    const hex = victim.digest.slice(7);
    const data = join(reg.storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    writeFileSync(data, readFileSync(data, 'utf8').replace('"schemaVersion":2', '"schemaVersion":2 '));
    for (const ref of [`${reg.host}/test/badmanifest:1`, `${reg.host}/test/badmanifest@${victim.digest}`]) {
      const e = await error(createImageResolver(isolated({ cacheDir: tmp() })).resolve(ref));
      expect(e.code, ref).toBe('digest-mismatch');
      expect(e.message).toMatch(/corrupting data/);
    }
  });

  it('a 403 names the user and the repository', async () => {
    const denied: typeof fetch = async () =>
      new Response(JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }), { status: 403 });
    const e = await error(createImageResolver(isolated({ cacheDir: tmp(), registry: { fetch: denied } })).resolve(`${reg.host}/test/app:v1`));
    expect(e.status).toBe(403);
    expect(e.message).toBe(`${reg.host}/test/app:v1: access denied (403) (DENIED: requested access to the resource is denied): anonymous access may not pull test/app from ${reg.host}`);
  });

  it('retries transient failures (5xx, connection reset) and then succeeds', async () => {
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 1) throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      if (calls === 2) return new Response('busy', { status: 503 });
      return fetch(input, init);
    };
    const img = await createImageResolver(isolated({ cacheDir: tmp(), registry: { fetch: flaky } })).resolve(`${reg.host}/test/app:v1`);
    expect(img.digest).toBe(app.digest);
    expect(calls).toBeGreaterThan(2);
  });

  it('concurrent resolvers share one cache safely', async () => {
    const cacheDir = tmp();
    const all = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const r = createImageResolver(isolated({ cacheDir }));
        const img = await r.resolve(`${reg.host}/test/app:v1`);
        await r.fetchLayers(img);
        return files(img);
      }),
    );
    for (const f of all) expect(f['bin/app']).toBe('v1');
    const cache = createImageResolver(isolated({ cacheDir })).cache;
    const ls = await cache.ls();
    expect(ls.map((i) => i.reference)).toEqual([`${reg.host}/test/app:v1`]);
    expect(ls[0]!.size).toBeGreaterThan(0);
    expect(await cache.prune({ graceMs: 0 })).toEqual({ removed: 0, bytes: 0 });
    expect(await cache.rm([`${reg.host}/test/app:v1`])).toEqual([`${reg.host}/test/app:v1`]);
    const pruned = await cache.prune({ graceMs: 0 });
    expect(pruned.removed).toBe(4); // manifest, config, 2 layers
    expect(readdirSync(join(cacheDir, 'blobs/sha256'))).toEqual([]);
  });
});

describe('processes sharing one cache', () => {
  let reg: TestRegistry;
  afterAll(() => reg?.stop());

  it('several processes resolving and fetching the same image at once all succeed and leave one copy', async () => {
    reg = await startRegistry();
    const big = await makeImage({
      layers: [0, 1, 2].map((i) => ({ [`data/${i}`]: Buffer.alloc(3 << 20, i + 1), [`etc/${i}`]: `layer ${i}` })),
    });
    await pushImage(reg.host, `${reg.host}/test/big:1`, big);
    const cacheDir = tmp();
    const resolveTs = new URL('./resolve.ts', import.meta.url).pathname;
    const flattenTs = new URL('./flatten.ts', import.meta.url).pathname;
    const script = `
      import { createImageResolver } from '${resolveTs}';
      import { flattenImage } from '${flattenTs}';
      const r = createImageResolver({ cacheDir: process.argv[1], registry: { dockerConfig: false, env: {} } });
      const img = await r.resolve(process.argv[2]);
      await r.fetchLayers(img);
      let n = 0;
      for await (const e of flattenImage(img)) n++;
      console.log(img.digest + ' ' + n);`;
    const run = () =>
      new Promise<string>((res, rej) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, cacheDir, `${reg.host}/test/big:1`], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (err += d));
        child.on('exit', (code) => (code === 0 ? res(out.trim()) : rej(new Error(`child exited ${code}: ${err}`))));
      });
    const outs = await Promise.all([run(), run(), run()]);
    expect(outs).toEqual(Array(3).fill(`${big.digest} 8`));
    const blobs = readdirSync(join(cacheDir, 'blobs/sha256'));
    expect(blobs.filter((b) => b.startsWith('.tmp'))).toEqual([]);
    expect(blobs.sort()).toEqual([big.digest, big.manifest.config.digest, ...big.manifest.layers.map((l) => l.digest)].map((d) => d.slice(7)).sort());
    const index = JSON.parse(readFileSync(join(cacheDir, 'index.json'), 'utf8')) as { manifests: unknown[] };
    expect(index.manifests).toHaveLength(1);
  });
});

describe.each(['basic', 'token'] as const)('registry with %s auth', (auth) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ auth });
    await pushImage(reg.host, `${reg.host}/private/app:v1`, app, { username: reg.username, password: reg.password });
  });
  afterAll(() => reg?.stop());

  it('pulls with credentials from the environment', async () => {
    const env = { [credentialEnvName(reg.host)]: `${reg.username}:${reg.password}` };
    const img = await createImageResolver(isolated({ cacheDir: tmp(), env })).resolve(`${reg.host}/private/app:v1`);
    expect(img.digest).toBe(app.digest);
    expect((await files(img))['etc/app.conf']).toBe('conf');
  });

  it('pulls with credentials from docker config.json', async () => {
    const home = tmp();
    writeFileSync(join(home, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${reg.username}:${reg.password}`).toString('base64') } } }));
    const resolver = createImageResolver({ cacheDir: tmp(), registry: { env: { DOCKER_CONFIG: home } } });
    expect((await resolver.resolve(`${reg.host}/private/app:v1`)).digest).toBe(app.digest);
  });

  it('without credentials: a 401 that says how to log in', async () => {
    const e = await error(createImageResolver(isolated({ cacheDir: tmp() })).resolve(`${reg.host}/private/app:v1`));
    expect(e.status).toBe(401);
    expect(e.code).toBe('unauthorized');
    expect(e.message).toContain(credentialEnvName(reg.host));
  });

  it('with a wrong password: says the credentials were rejected', async () => {
    const env = { [credentialEnvName(reg.host)]: `${reg.username}:wrong` };
    const e = await error(createImageResolver(isolated({ cacheDir: tmp(), env })).resolve(`${reg.host}/private/app:v1`));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/rejected the credentials of user "tester"/);
  });
});

describe('local sources', () => {
  it('an OCI layout image store, by the full normalised reference, without any registry', async () => {
    const store = tmp();
    const layer = await tarBuffer([{ path: 'hello', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 2, content: Buffer.from('hi') }]);
    const w = await writeImage(store, { ref: 'localhost:5000/oscompose/hello:1', layers: [layer] });
    const resolver = createImageResolver(isolated({ cacheDir: tmp(), imageStores: [store], registry: { fetch: () => Promise.reject(new Error('no network')) } }));
    const img = await resolver.resolve('localhost:5000/oscompose/hello:1');
    expect(img).toMatchObject({ digest: w.digest, source: 'store', store });
    await resolver.fetchLayers(img);
    expect(await files(img)).toEqual({ hello: 'hi' });
  });

  it('an OCI archive tarball', async () => {
    const layout = tmp();
    const w = await writeImage(layout, { ref: 'example.com/team/tool:2', layers: [await tarBuffer([{ path: 'tool', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 1, content: Buffer.from('t') }])] });
    const archive = join(tmp(), 'tool.oci.tar');
    execFileSync('tar', ['-C', layout, '-cf', archive, '.']);
    const img = await createImageResolver(isolated({ cacheDir: tmp(), imageStores: [archive] })).resolve('example.com/team/tool:2');
    expect(img).toMatchObject({ digest: w.digest, source: 'store', store: archive });
    expect(await files(img)).toEqual({ tool: 't' });
  });

  it('a docker archive (docker save format)', async () => {
    const layerTar = await tarBuffer([{ path: 'etc/os-release', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 3, content: Buffer.from('ID=') }]);
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [] } });
    const manifest = JSON.stringify([{ Config: 'cfg.json', RepoTags: ['busybox:saved'], Layers: ['abc/layer.tar'] }]);
    const f = (path: string, content: Buffer): FsEntry => ({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, content });
    const archiveTar = await tarBuffer([f('abc/layer.tar', layerTar), f('cfg.json', Buffer.from(config)), f('manifest.json', Buffer.from(manifest))]);
    const archive = join(tmp(), 'docker.tar');
    writeFileSync(archive, archiveTar);
    const img = await createImageResolver(isolated({ cacheDir: tmp(), imageStores: [archive] })).resolve('busybox:saved');
    expect(img.reference).toBe('docker.io/library/busybox:saved');
    expect(img.config.config?.Cmd).toEqual(['sh']);
    expect(await files(img)).toEqual({ etc: 'dir', 'etc/os-release': 'ID=' });
  });

  it('a store that does not exist is empty', async () => {
    const e = await error(createImageResolver(isolated({ cacheDir: tmp(), imageStores: [join(tmp(), 'no-such-store')], registry: { fetch: () => Promise.reject(new Error('offline')), retries: 0 } })).resolve('localhost:5000/x:1'));
    expect(e.code).toBe('network');
  });

  it('a corrupt archive fails with an ArchiveError', async () => {
    const archive = join(tmp(), 'junk.tar');
    writeFileSync(archive, Buffer.alloc(2048, 0x41));
    const e = await createImageResolver(isolated({ cacheDir: tmp(), imageStores: [archive] })).resolve('busybox').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ArchiveError);
    expect(statSync(archive).size).toBe(2048);
  });
});
