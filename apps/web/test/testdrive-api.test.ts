// The testdrive API over HTTP, against the real route handlers, a real redis-server (queue and
// console streams) and a real database: who may start, watch, type, extend and stop; one
// running testdrive per user; the console's SSE replays and follows the worker's stream and
// keeps the VM watched; another team sees nothing (404). The worker is played by writing its
// side of the Redis streams and the row (the real worker's side: apps/worker testdrive tests).

process.env.OSCOMPOSE_TESTDRIVE_MINUTES = '15';
process.env.OSCOMPOSE_TESTDRIVE_MAX_MINUTES = '30';

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { testdriveState } from '@oscompose/db';
import { createTestdriveQueue, testdriveKeys } from '@oscompose/queue';
import { startPipeline, type Pipeline } from '@oscompose/worker/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/server/auth/permissions';
import { setCallerResolver } from '../src/server/auth/resolveCaller';
import { setBuildDeps } from '../src/server/builds/deps';
import { startApiServer, type ApiServer } from '../src/server/builds/testing/apiServer';
import { closeTestdriveQueue } from '../src/server/testdrives/deps';

let p: Pipeline;
let api: ApiServer;
let deps: Awaited<ReturnType<Pipeline['webDeps']>>;
let caller: { userId: string; teamId: string; role: Role };
const users: Record<string, { userId: string; teamId: string }> = {};
let buildA: string;
let buildB: string;

async function makeBuild(teamId: string, formats: Record<string, string[]>) {
  const b = await deps.db.build.create({ data: { teamId, specText: 's', specHash: 'h', status: 'succeeded', formats: JSON.stringify(Object.keys(formats)), finishedAt: new Date() } });
  for (const [format, names] of Object.entries(formats)) {
    for (const name of names) await deps.db.artifact.create({ data: { buildId: b.id, format, name, size: 1n, sha256: 'x', storageKey: `builds/${b.id}/${name}` } });
  }
  return b.id;
}

beforeAll(async () => {
  p = await startPipeline();
  deps = await p.webDeps();
  setBuildDeps(deps);
  const db = deps.db;
  users.member = { userId: p.testDb.userId, teamId: p.testDb.teamId };
  for (const [name, role] of [['member2', 'member'], ['viewer', 'viewer']] as const) {
    const u = await db.user.create({ data: { name, email: `${name}@example.com` } });
    await db.membership.create({ data: { userId: u.id, teamId: p.testDb.teamId, role } });
    users[name] = { userId: u.id, teamId: p.testDb.teamId };
  }
  const teamB = await db.team.create({ data: { name: 'B', slug: 'team-b' } });
  const ub = await db.user.create({ data: { name: 'other', email: 'other@example.com' } });
  await db.membership.create({ data: { userId: ub.id, teamId: teamB.id, role: 'owner' } });
  users.other = { userId: ub.id, teamId: teamB.id };
  buildA = await makeBuild(p.testDb.teamId, { 'kernel+initrd': ['linuxkit-kernel', 'linuxkit-initrd.img', 'linuxkit-cmdline'], tar: ['linuxkit.tar'] });
  buildB = await makeBuild(teamB.id, { 'iso-bios': ['linuxkit.iso'] });
  caller = { ...users.member!, role: 'member' };
  setCallerResolver(async () => ({ ...caller, via: 'local' }));
  api = await startApiServer();
}, 60_000);

afterAll(async () => {
  await api?.close();
  setCallerResolver(undefined);
  await closeTestdriveQueue().catch(() => {});
  setBuildDeps(undefined);
  await p?.cleanup();
});

const as = (name: string, role: Role) => (caller = { ...users[name]!, role });

async function http<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(api.url + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: res.status, body: parsed as T };
}

/** Plays the worker: takes the queued row, as runTestdrive's claim does. */
const claim = (id: string) => testdriveState.claim(deps.db, id, `fake-worker#${id}`);

describe('testdrive API', () => {
  let first: string;

  it('a member starts a testdrive of a bootable artifact: 202, a queued job, an audit entry', async () => {
    as('member', 'member');
    const res = await http('POST', `/api/v1/builds/${buildA}/testdrive`, { artifact: 'kernel+initrd', ports: [80] });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ buildId: buildA, artifact: 'kernel+initrd', status: 'queued', ports: [80], limitSeconds: 900, memoryMb: 1024 });
    first = res.body.id;
    expect(res.body.url).toBe(`/testdrive/${first}`);
    const queue = createTestdriveQueue(deps.redis, { prefix: p.prefix });
    expect((await queue.getJob(first))?.data).toEqual({ testdriveId: first, installation: deps.installationId });
    await queue.close();
    const audit = await deps.db.auditEvent.findFirst({ where: { action: 'testdrive.start', target: first } });
    expect(audit).toMatchObject({ actorId: users.member!.userId, teamId: p.testDb.teamId });
  });

  it('a second testdrive by the same user is refused with a clear message; another member may start one', async () => {
    const again = await http('POST', `/api/v1/builds/${buildA}/testdrive`, { artifact: 'kernel+initrd' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'testdrive_running' });
    expect(again.body.error.message).toContain(`You already have a testdrive running (${first}`);
    as('member2', 'member');
    const other = await http('POST', `/api/v1/builds/${buildA}/testdrive`, { artifact: 'kernel+initrd' });
    expect(other.status).toBe(202);
    expect((await http('DELETE', `/api/v1/testdrives/${other.body.id}`)).body).toMatchObject({ status: 'stopped', endReason: 'user' });
  });

  it('an artifact that does not boot, or is not there, is refused naming what can be testdriven', async () => {
    as('member2', 'member');
    const tar = await http('POST', `/api/v1/builds/${buildA}/testdrive`, { artifact: 'tar' });
    expect(tar.status).toBe(400);
    expect(tar.body.error).toMatchObject({ code: 'not_bootable', message: expect.stringContaining('testdrive one of: kernel+initrd') });
    expect((await http('POST', `/api/v1/builds/${buildA}/testdrive`, { artifact: 'iso-efi' })).status).toBe(400);
    expect((await http('POST', `/api/v1/builds/${buildA}/testdrive`, {})).status).toBe(400);
  });

  it('the console replays what the VM printed, follows it live, ends with the reason, and keeps the VM watched', async () => {
    as('viewer', 'viewer');
    expect(await claim(first)).toBe(true);
    const keys = testdriveKeys(p.prefix, first);
    await deps.redis.del(keys.viewer);
    await deps.redis.xadd(keys.output, '*', 'd', 'Linux version 6.1\r\n');
    const ac = new AbortController();
    const res = await fetch(`${api.url}/api/v1/testdrives/${first}/console`, { signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (what: string) => {
      while (!text.includes(what)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      return text;
    };
    await readUntil('Linux version');
    expect(text).toMatch(/id: \d+-\d+\nevent: output\ndata: "Linux version 6.1\\r\\n"/);
    // A viewer's open console counts as watching.
    expect(await deps.redis.exists(keys.viewer)).toBe(1);
    await deps.redis.xadd(keys.output, '*', 'd', '\u001b[1;32m# \u001b[0m');
    await readUntil('\\u001b[0m');
    await deps.redis.xadd(keys.output, '*', 'end', 'user');
    await readUntil('event: end');
    expect(text).toContain('event: end\ndata: {"reason":"user"}');
    ac.abort();
    // Resuming after an id sends only what came later.
    const lastOutput = [...text.matchAll(/id: (\d+-\d+)\nevent: output/g)].at(-1)![1]!;
    const resumed = await (await fetch(`${api.url}/api/v1/testdrives/${first}/console?after=${lastOutput}`)).text();
    expect(resumed).not.toContain('Linux version');
    expect(resumed).toContain('event: end');
    await deps.redis.del(keys.output);
  });

  it('a viewer watches but cannot type, extend or stop; a member types and the keystrokes reach the input stream', async () => {
    as('viewer', 'viewer');
    expect((await http('GET', `/api/v1/testdrives/${first}`)).body).toMatchObject({ id: first, status: 'running', secondsLeft: expect.any(Number), canType: false });
    expect((await http('POST', `/api/v1/testdrives/${first}/input`, { data: 'ls\r' })).status).toBe(403);
    expect((await http('POST', `/api/v1/testdrives/${first}/extend`, {})).status).toBe(403);
    expect((await http('DELETE', `/api/v1/testdrives/${first}`)).status).toBe(403);
    expect((await http('POST', `/api/v1/builds/${buildA}/testdrive`, { artifact: 'kernel+initrd' })).status).toBe(403);
    as('member', 'member');
    expect((await http('GET', `/api/v1/testdrives/${first}`)).body.canType).toBe(true);
    expect((await http('POST', `/api/v1/testdrives/${first}/input`, { data: 'uname -r\r' })).status).toBe(204);
    const entries = (await deps.redis.xrange(testdriveKeys(p.prefix, first).input, '-', '+')).map(([, f]) => f);
    expect(entries).toContainEqual(['d', 'uname -r\r']);
  });

  it('extend adds time up to the instance maximum', async () => {
    as('member', 'member');
    const before = (await http('GET', `/api/v1/testdrives/${first}`)).body;
    const ext = await http('POST', `/api/v1/testdrives/${first}/extend`, { minutes: 5 });
    expect(ext.status).toBe(200);
    expect(Date.parse(ext.body.expiresAt) - Date.parse(before.expiresAt)).toBe(300_000);
    const capped = await http('POST', `/api/v1/testdrives/${first}/extend`, { minutes: 600 });
    expect(Date.parse(capped.body.expiresAt) - Date.parse(capped.body.startedAt)).toBe(30 * 60_000);
  });

  it("a listed guest port is served through the web app: path, query and status pass, the app's cookies do not", async () => {
    const seen: Array<{ url?: string; cookie?: string }> = [];
    const guest = createServer((req, res) => {
      seen.push({ url: req.url, cookie: req.headers.cookie });
      if (req.url === '/old') return res.writeHead(302, { location: '/new' }).end();
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Hello from oscompose</h1>');
    });
    await new Promise<void>((r) => guest.listen(0, '127.0.0.1', () => r()));
    const host = (guest.address() as AddressInfo).port;
    expect(await testdriveState.recordForwards(deps.db, first, `fake-worker#${first}`, [{ guest: 80, host, machine: hostname() }])).toBe(true);
    try {
      as('viewer', 'viewer');
      const res = await fetch(`${api.url}/testdrive/${first}/port/80/a%20b/index.html?x=1`, { headers: { cookie: 'better-auth.session_token=secret' } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Hello from oscompose');
      expect(seen.at(-1)).toEqual({ url: '/a%20b/index.html?x=1', cookie: undefined });
      expect((await fetch(`${api.url}/testdrive/${first}/port/80`)).status).toBe(200);
      expect(seen.at(-1)!.url).toBe('/');
      const moved = await fetch(`${api.url}/testdrive/${first}/port/80/old`, { redirect: 'manual' });
      expect(moved.headers.get('location')).toBe(`/testdrive/${first}/port/80/new`);
      expect((await fetch(`${api.url}/testdrive/${first}/port/22/`)).status).toBe(404);
      // Run on another machine: its loopback port is not this one's.
      await testdriveState.recordForwards(deps.db, first, `fake-worker#${first}`, [{ guest: 80, host, machine: 'elsewhere' }]);
      expect((await http('GET', `/testdrive/${first}/port/80/`)).body.error.code).toBe('guest_elsewhere');
      expect(seen).toHaveLength(3);
      as('other', 'owner');
      expect((await fetch(`${api.url}/testdrive/${first}/port/80/`)).status).toBe(404);
    } finally {
      guest.close();
    }
  });

  it('another team gets 404 for the testdrive, its console and input, and cannot start one on a foreign build', async () => {
    as('other', 'owner');
    for (const [method, path] of [['GET', ''], ['GET', '/console'], ['DELETE', ''], ['GET', '/transcript']] as const) {
      expect((await http(method, `/api/v1/testdrives/${first}${path}`)).status, `${method} ${path}`).toBe(404);
    }
    expect((await http('POST', `/api/v1/testdrives/${first}/input`, { data: 'x' })).status).toBe(404);
    expect((await http('POST', `/api/v1/testdrives/${first}/extend`, {})).status).toBe(404);
    as('member', 'member');
    expect((await http('POST', `/api/v1/builds/${buildB}/testdrive`, { artifact: 'iso-bios' })).status).toBe(404);
  });

  it('stop ends it (idempotent), tells the worker, and frees the user for a new one; an ended one takes no input or time', async () => {
    as('member', 'member');
    const stopped = await http('DELETE', `/api/v1/testdrives/${first}`);
    expect(stopped.body).toMatchObject({ status: 'stopped', endReason: 'user', secondsLeft: null });
    expect((await http('DELETE', `/api/v1/testdrives/${first}`)).body).toMatchObject({ status: 'stopped' });
    const entries = (await deps.redis.xrange(testdriveKeys(p.prefix, first).input, '-', '+')).map(([, f]) => f);
    expect(entries).toContainEqual(['c', 'stop']);
    expect((await http('POST', `/api/v1/testdrives/${first}/input`, { data: 'x' })).body.error.code).toBe('testdrive_not_running');
    expect((await http('POST', `/api/v1/testdrives/${first}/extend`, {})).status).toBe(409);
    expect((await fetch(`${api.url}/testdrive/${first}/port/80/`)).status).toBe(409);
    // Its console ends at once with the reason, though no end entry was written.
    expect(await (await fetch(`${api.url}/api/v1/testdrives/${first}/console`)).text()).toContain('event: end\ndata: {"reason":"user"}');
    const next = await http('POST', `/api/v1/builds/${buildA}/testdrive`, { artifact: 'kernel+initrd' });
    expect(next.status).toBe(202);
    // Stopped while queued: its job leaves the queue, so no worker boots it.
    await http('DELETE', `/api/v1/testdrives/${next.body.id}`);
    const queue = createTestdriveQueue(deps.redis, { prefix: p.prefix });
    expect(await queue.getJob(next.body.id)).toBeUndefined();
    await queue.close();
  });
});
