// Attacks on the network behind the server: image references that name loopback (the Redis the
// pipeline itself uses), [::1], the cloud metadata address, a name that resolves to loopback, and
// an allowed registry that redirects a blob to loopback. Each is refused in the plan, in a build
// and in catalog add-by-reference with the policy's one message — the same whether or not
// anything listens — and no connection is made (a counting listener sees none). A loopback
// registry the operator allowed works, and an upload never makes the server fetch a layer.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarBuffer, type FsEntry } from '@oscompose/engine';
import { makeImage, pushImage, startConnectionCounter, startRedirectProxy, type RedirectProxy } from '@oscompose/engine/testing';
import { freePort } from '@oscompose/queue/testing';
import { startBed, type Bed } from './bed';

let bed: Bed;
let counter: Awaited<ReturnType<typeof startConnectionCounter>>;
let silentPort: number;
/** Allowed by the operator; they redirect blob GETs to redis, to nothing, to the counter. */
const proxies: Record<'redis' | 'silent' | 'counter', RedirectProxy> = {} as never;

const message = (host: string) => `registry ${host} is not allowed here; an admin can add it in Settings → Registries`;

function specWith(image: string): string {
  return `kernel:\n  image: ${bed.refs.kernel}\n  cmdline: console=ttyS0\ninit:\n  - ${bed.refs.init}\nonboot:\n  - name: probe\n    image: ${JSON.stringify(image)}\n`;
}

/** What each surface answers for one image reference. */
async function tryEverywhere(ref: string): Promise<{ plan: string | undefined; build: { status: string; attempts: number; error: string | null }; buildId: string; catalog: { status: number; code: string; message: string } }> {
  bed.as('member');
  const plan = await bed.http('POST', '/api/v1/specs/plan', { spec: specWith(ref), formats: ['tar'] });
  expect(plan.status).toBe(200);
  const created = await bed.http('POST', '/api/v1/builds', { spec: specWith(ref), formats: ['tar'] });
  expect(created.status).toBe(202);
  const build = await bed.waitFinal(created.body.id);
  bed.as('admin');
  const catalog = await bed.http('POST', '/api/v1/catalog', { reference: ref, kind: 'onboot' });
  bed.as('member');
  return {
    plan: plan.body.images.find((i: { reference: string }) => i.reference === ref)?.error,
    build: { status: build.status, attempts: build.attempts, error: build.error },
    buildId: created.body.id,
    catalog: { status: catalog.status, code: catalog.body?.error?.code, message: catalog.body?.error?.message },
  };
}

function expectRefused(got: Awaited<ReturnType<typeof tryEverywhere>>, ref: string, host: string) {
  const want = `${ref}: ${message(host)}`;
  expect(got.plan).toBe(want);
  expect(got.build).toEqual({ status: 'failed', attempts: 1, error: want });
  expect(got.catalog).toEqual({ status: 422, code: 'registry_not_allowed', message: want });
}

beforeAll(async () => {
  counter = await startConnectionCounter();
  silentPort = await freePort();
  bed = await startBed({
    before: async ({ p, registry }) => {
      proxies.redis = await startRedirectProxy({ upstream: registry.host, redirectBlobsTo: `http://127.0.0.1:${p.redis.port}` });
      proxies.silent = await startRedirectProxy({ upstream: registry.host, redirectBlobsTo: `http://127.0.0.1:${silentPort}` });
      proxies.counter = await startRedirectProxy({ upstream: registry.host, redirectBlobsTo: `http://127.0.0.1:${counter.port}` });
      return Object.values(proxies).map((x) => x.host);
    },
  });
  await pushImage(bed.registry.host, `${bed.registry.host}/attack/hello:1`, await makeImage({ files: { 'bin/hello': { content: 'hello', mode: 0o755 } }, config: { Cmd: ['/bin/hello'] } }));
}, 300_000);

afterAll(async () => {
  for (const x of Object.values(proxies)) await x?.stop();
  await counter?.stop();
  await bed?.close();
});

describe('image references to the network behind the server', () => {
  it('127.0.0.1:<the Redis the pipeline uses> → refused in plan, build and catalog add', async () => {
    const ref = `127.0.0.1:${bed.redisPort}/attack/probe:1`;
    expectRefused(await tryEverywhere(ref), ref, `127.0.0.1:${bed.redisPort}`);
  });

  it('[::1]:<redis port> → refused', async () => {
    const ref = `[::1]:${bed.redisPort}/attack/probe:1`;
    expectRefused(await tryEverywhere(ref), ref, `[::1]:${bed.redisPort}`);
  });

  it('169.254.169.254 (cloud metadata) → refused', async () => {
    const ref = '169.254.169.254/latest/meta-data:1';
    expectRefused(await tryEverywhere(ref), ref, '169.254.169.254');
  });

  it('localhost:<redis port> (a name for loopback) → refused', async () => {
    const ref = `localhost:${bed.redisPort}/attack/probe:1`;
    expectRefused(await tryEverywhere(ref), ref, `localhost:${bed.redisPort}`);
  });

  it('a team-allowed name that resolves to loopback → refused after DNS, nothing connected', async () => {
    // The Settings route refuses localhost (see below); a row made before that rule, or a public
    // name whose DNS later points at loopback, is what the connect-time check is for.
    const host = `localhost:${counter.port}`;
    const row = await bed.p.testDb.db.teamRegistry.create({ data: { teamId: bed.teamId, host } });
    try {
      const ref = `${host}/attack/probe:1`;
      expectRefused(await tryEverywhere(ref), ref, host);
      expect(counter.connections()).toBe(0);
    } finally {
      await bed.p.testDb.db.teamRegistry.delete({ where: { id: row.id } });
    }
  });

  it('an allowed registry that redirects a blob to 127.0.0.1:<redis port> → refused at the redirect', async () => {
    const ref = `${proxies.redis.host}/attack/hello:1`;
    expectRefused(await tryEverywhere(ref), ref, `127.0.0.1:${bed.redisPort}`);
    expect(proxies.redis.redirected.length).toBeGreaterThanOrEqual(3); // plan, build, catalog each asked
  });

  it('the same words whether or not anything listens there (no connected/refused oracle)', async () => {
    const norm = (s: string | undefined | null, port: number) => (s ?? '').replaceAll(String(port), 'PORT');
    const pairs: [string, number, string, number][] = [
      [`127.0.0.1:${bed.redisPort}/attack/probe:1`, bed.redisPort, `127.0.0.1:${silentPort}/attack/probe:1`, silentPort],
      [`${proxies.redis.host}/attack/hello:1`, bed.redisPort, `${proxies.silent.host}/attack/hello:1`, silentPort],
    ];
    for (const [listening, lp, silent, sp] of pairs) {
      const a = await tryEverywhere(listening);
      const b = await tryEverywhere(silent);
      const strip = (x: typeof a, port: number, proxy?: string) => JSON.stringify({ ...x, buildId: undefined }).replaceAll(proxy ?? '\u0000', 'PROXY').replaceAll(String(port), 'PORT');
      const proxyOf = (ref: string) => (ref.startsWith('127.0.0.1:') && ref.includes('/attack/hello') ? ref.split('/')[0] : undefined);
      expect(strip(a, lp, proxyOf(listening))).toBe(strip(b, sp, proxyOf(silent)));
      expect(norm(a.build.error, lp)).toContain('is not allowed here');
    }
  });

  it('no connection reaches a listener behind a refused reference, a team name for loopback, or a redirect', async () => {
    const host = `localhost:${counter.port}`;
    const row = await bed.p.testDb.db.teamRegistry.create({ data: { teamId: bed.teamId, host } });
    try {
      for (const ref of [`127.0.0.1:${counter.port}/attack/probe:1`, `[::ffff:7f00:1]:${counter.port}/attack/probe:1`, `${host}/attack/probe:1`, `${proxies.counter.host}/attack/hello:1`]) {
        const got = await tryEverywhere(ref);
        expect(got.build.status).toBe('failed');
        expect(got.catalog.status).toBe(422);
      }
    } finally {
      await bed.p.testDb.db.teamRegistry.delete({ where: { id: row.id } });
    }
    expect(proxies.counter.redirected.length).toBeGreaterThanOrEqual(3);
    expect(counter.connections()).toBe(0);
  });

  it('a loopback registry the operator allowed (OSCOMPOSE_ALLOWED_REGISTRIES=127.0.0.1:<port>) plans, builds and is added', async () => {
    const ref = `${bed.registry.host}/attack/hello:1`;
    bed.as('member');
    const plan = await bed.http('POST', '/api/v1/specs/plan', { spec: specWith(ref), formats: ['tar'] });
    const image = plan.body.images.find((i: { reference: string }) => i.reference === ref);
    expect(image).toMatchObject({ source: 'registry', digest: expect.stringMatching(/^sha256:/) });
    expect(image.error).toBeUndefined();
    const created = await bed.http('POST', '/api/v1/builds', { spec: specWith(ref), formats: ['tar'] });
    const build = await bed.waitFinal(created.body.id);
    expect(build.status, build.error ?? '').toBe('succeeded');
    expect(build.resolvedSpec).toContain(`${ref}@sha256:`);
    bed.as('admin');
    const added = await bed.http('POST', '/api/v1/catalog', { reference: ref, kind: 'onboot' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.pinnedDigest).toBe(image.digest);
  });
});

describe("another team's uploads in the shared image store", () => {
  it('a spec naming localhost:5000/<other team>/… is refused in plan, build and catalog add; the own namespace builds', async () => {
    const { writeImage } = await import('@oscompose/engine');
    const marker = `OTHER-TEAM-${Date.now()}`;
    const slug = (await bed.p.testDb.db.team.findUniqueOrThrow({ where: { id: bed.teamId } })).slug;
    // As uploadArchive names them: <OSCOMPOSE_REGISTRY>/<team slug>/<name>:<tag>.
    const theirs = 'localhost:5000/other-team/secret:1';
    const ours = `localhost:5000/${slug}/mine:1`;
    const layer = (text: string) => tarBuffer([{ path: 'secret.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, size: text.length, content: Buffer.from(text) }]);
    await writeImage(bed.p.imageStore, { ref: theirs, config: { Cmd: ['/bin/true'] }, layers: [await layer(marker)] });
    await writeImage(bed.p.imageStore, { ref: ours, config: { Cmd: ['/bin/true'] }, layers: [await layer('ours')] });

    const got = await tryEverywhere(theirs);
    const want = `${theirs}: localhost:5000/other-team/… is not one of this team's images; use localhost:5000/${slug}/… or localhost:5000/oscompose/…`;
    expect(got.plan).toBe(want);
    expect(got.build).toEqual({ status: 'failed', attempts: 1, error: want });
    expect(got.catalog).toMatchObject({ status: 422, message: want });
    const evidence = await bed.evidence(got.buildId);
    expect(evidence).not.toContain(marker);
    // The same words for a name no team has.
    expect((await tryEverywhere('localhost:5000/nobody/none:1')).build.error).toBe(want.replaceAll('other-team/secret:1', 'nobody/none:1').replaceAll('other-team', 'nobody'));

    bed.as('member');
    const created = await bed.http('POST', '/api/v1/builds', { spec: specWith(ours), formats: ['tar'] });
    const build = await bed.waitFinal(created.body.id);
    expect(build.status, build.error ?? '').toBe('succeeded');
  });
});

describe('Settings → Registries', () => {
  it('a team admin may add public hosts only; members may not add; additions are audited', async () => {
    bed.as('admin');
    for (const host of [`localhost:${bed.redisPort}`, `127.0.0.1:${bed.redisPort}`, '10.0.0.5:5000', '169.254.169.254', '[::1]:5000', 'metadata.localhost']) {
      const res = await bed.http('POST', '/api/v1/registries', { host });
      expect(res.status, host).toBe(400);
      expect(res.body.error.message).toMatch(/server's own network.*OSCOMPOSE_ALLOWED_REGISTRIES/);
    }
    expect((await bed.http('POST', '/api/v1/registries', { host: 'https://x/y' })).status).toBe(400);
    expect((await bed.http('POST', '/api/v1/registries', { host: bed.registry.host })).status).toBe(409); // the operator allows it already
    const added = await bed.http('POST', '/api/v1/registries', { host: 'Registry.Example.org' });
    expect(added.status).toBe(201);
    expect(added.body.host).toBe('registry.example.org');
    const listed = await bed.http('GET', '/api/v1/registries');
    expect(listed.body.operator).toEqual(expect.arrayContaining([bed.registry.host, 'localhost:5000']));
    expect(listed.body.team.map((t: { host: string }) => t.host)).toEqual(['registry.example.org']);
    bed.as('member');
    expect((await bed.http('POST', '/api/v1/registries', { host: 'quay.example.org' })).status).toBe(403);
    expect((await bed.http('DELETE', `/api/v1/registries/${added.body.id}`)).status).toBe(403);
    bed.as('admin');
    expect((await bed.http('DELETE', `/api/v1/registries/${added.body.id}`)).status).toBe(204);
    const audit = await bed.p.testDb.db.auditEvent.findMany({ where: { teamId: bed.teamId, action: { startsWith: 'registry.' } } });
    expect(audit.map((a) => [a.action, a.target])).toEqual([['registry.add', 'registry.example.org'], ['registry.remove', 'registry.example.org']]);
  });
});

describe('uploads', () => {
  it('an archive with a foreign layer (download URLs) is refused and nothing is fetched', async () => {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [`sha256:${'1'.repeat(64)}`] }, config: {} }));
    const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: `sha256:${'2'.repeat(64)}`, size: 1234, urls: [`http://127.0.0.1:${counter.port}/layer.tar.gz`] }],
      }),
    );
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length }] }));
    const file = (path: string, content: Buffer): FsEntry => ({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, content });
    const archive = await tarBuffer([
      file('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')),
      file('index.json', index),
      file(`blobs/sha256/${sha(config).slice(7)}`, config),
      file(`blobs/sha256/${sha(manifest).slice(7)}`, manifest),
    ]);
    bed.as('admin');
    const res = await bed.http('POST', '/api/v1/catalog/uploads?name=foreign&kind=onboot', archive, { 'content-type': 'application/x-tar' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/foreign layer.*never fetches/);
    expect(counter.connections()).toBe(0);
    expect(await bed.p.testDb.db.catalogEntry.count({ where: { teamId: bed.teamId, name: 'foreign' } })).toBe(0);
  });
});
