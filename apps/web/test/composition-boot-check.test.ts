// Boot expectations saved with a composition version (next to the spec, not inside it), through
// the real route handlers on a real SQLite database with a real API token: stored, returned,
// versioned, carried by fork and duplicate, used by a build of the composition (real Redis queue);
// a bad one refused with a message that names it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '@oscompose/db';
import { startRedis, type RedisServer } from '@oscompose/queue/testing';
import { closeBuildDeps } from './support/buildDeps';
import { addMember, useWebDatabase } from './support/database';

let dir: string;
let prisma: PrismaClient;
let token: string;
let redis: RedisServer;

const SPEC = 'kernel:\n  image: localhost:5000/oscompose/kernel:6.1\n  cmdline: console=ttyS0\ninit:\n  - linuxkit/init:v1.1.0\n';

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Body = Record<string, unknown> & { error?: { code: string; message: string; problems?: { path: string; message: string }[] } };

async function call(handler: unknown, method: string, url: string, body?: unknown, params: Record<string, string> = {}) {
  const req = new Request(`http://localhost:3000${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const res = await (handler as Handler)(req, { params: Promise.resolve(params) });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as Body };
}

const routes = {
  list: () => import('../app/api/v1/compositions/route'),
  one: () => import('../app/api/v1/compositions/[id]/route'),
  version: () => import('../app/api/v1/compositions/[id]/versions/[version]/route'),
  fork: () => import('../app/api/v1/compositions/[id]/fork/route'),
  duplicate: () => import('../app/api/v1/compositions/[id]/duplicate/route'),
  builds: () => import('../app/api/v1/builds/route'),
  rebuild: () => import('../app/api/v1/builds/[id]/rebuild/route'),
};
const create = async (body: unknown) => call((await routes.list()).POST, 'POST', '/api/v1/compositions', body);
const get = async (id: string) => call((await routes.one()).GET, 'GET', `/api/v1/compositions/${id}`, undefined, { id });
const put = async (id: string, body: unknown) => call((await routes.one()).PUT, 'PUT', `/api/v1/compositions/${id}`, body, { id });
const getVersion = async (id: string, v: number) => call((await routes.version()).GET, 'GET', `/api/v1/compositions/${id}/versions/${v}`, undefined, { id, version: String(v) });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-composition-boot-'));
  redis = await startRedis();
  process.env.REDIS_URL = redis.url;
  process.env.REDIS_PREFIX = `compboot${process.pid}`;
  prisma = await useWebDatabase(dir);
  const team = await prisma.team.create({ data: { name: 'Platform', slug: 'platform' } });
  token = (await addMember(prisma, { teamId: team.id, role: 'member', name: 'Ada', email: 'ada@example.com', tokenName: 'boot check test', signedUp: true })).token;
}, 60_000);

afterAll(async () => {
  await closeBuildDeps().catch(() => undefined);
  await redis?.stop();
  await prisma?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('boot expectations of a composition', () => {
  it('are stored next to the spec (the YAML untouched) and returned', async () => {
    const bootCheck = { expect: ['hello from onboot', '/sshd.*listening/i'], http: { port: 80, path: '/health', expect: 'ok' }, timeoutSeconds: 90, untilPoweroff: false };
    const r = await create({ name: 'lk box', spec: SPEC, bootCheck });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const id = r.body.id as string;
    const detail = await get(id);
    expect(detail.body.spec).toBe(SPEC);
    // untilPoweroff: false says nothing, so it is not kept.
    expect(detail.body.bootCheck).toEqual({ expect: ['hello from onboot', '/sshd.*listening/i'], http: { port: 80, path: '/health', expect: 'ok' }, timeoutSeconds: 90 });
    const row = await prisma.compositionVersion.findFirstOrThrow({ where: { compositionId: id, version: 1 } });
    expect(row.specText).toBe(SPEC);
    expect(JSON.parse(row.bootExpectations!)).toEqual(detail.body.bootCheck);
  });

  it('a change of expectations alone is a new version; each version keeps its own; null clears them', async () => {
    const id = (await create({ name: 'versions', spec: SPEC })).body.id as string;
    expect((await get(id)).body.bootCheck).toBeNull();

    const v2 = await put(id, { spec: SPEC, bootCheck: { expect: ['login:'] }, message: 'expect a login prompt' });
    expect(v2.body.version).toBe(2);
    // Saving the same again makes no version.
    expect((await put(id, { spec: SPEC, bootCheck: { expect: ['login:'] } })).body.version).toBe(2);
    // A spec change without bootCheck keeps the expectations.
    const v3 = await put(id, { spec: `${SPEC}# edited\n` });
    expect(v3.body.version).toBe(3);
    expect((await get(id)).body.bootCheck).toEqual({ expect: ['login:'] });
    const v4 = await put(id, { bootCheck: null });
    expect(v4.body.version).toBe(4);

    expect((await getVersion(id, 1)).body.bootCheck).toBeNull();
    expect((await getVersion(id, 2)).body).toMatchObject({ spec: SPEC, bootCheck: { expect: ['login:'] }, message: 'expect a login prompt' });
    expect((await getVersion(id, 3)).body.bootCheck).toEqual({ expect: ['login:'] });
    expect((await getVersion(id, 4)).body).toMatchObject({ spec: `${SPEC}# edited\n`, bootCheck: null });
    expect(((await get(id)).body.versions as { version: number }[]).map((v) => v.version)).toEqual([4, 3, 2, 1]);
  });

  it('refuses a bad regular expression with its message, and stores nothing', async () => {
    const id = (await create({ name: 'strict', spec: SPEC, bootCheck: { expect: ['ready'] } })).body.id as string;

    const invalid = await put(id, { bootCheck: { expect: ['ready', '/[unclosed/'] } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error?.message).toMatch(/^body\.bootCheck\.expect\.1: \/\[unclosed\/: not a valid regular expression/);

    const nested = await put(id, { bootCheck: { expect: ['/(a+)+$/'] } });
    expect(nested.status).toBe(400);
    expect(nested.body.error?.message).toContain('(a+)+');
    expect(nested.body.error?.message).toContain('can take the boot check forever');

    const port = await create({ name: 'bad port', spec: SPEC, bootCheck: { http: { port: 70000 } } });
    expect(port.status).toBe(400);
    expect(port.body.error?.problems?.[0]?.path).toBe('body.bootCheck.http.port');

    const unknown = await put(id, { bootCheck: { expectations: ['x'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toContain('expectations');

    const detail = await get(id);
    expect(detail.body.latestVersion).toBe(1);
    expect(detail.body.bootCheck).toEqual({ expect: ['ready'] });
    expect(await prisma.composition.count({ where: { name: 'bad port' } })).toBe(0);
  });

  it('fork and duplicate carry the expectations of the version they copy', async () => {
    const id = (await create({ name: 'source', spec: SPEC, bootCheck: { expect: ['hello'], untilPoweroff: true } })).body.id as string;
    await put(id, { bootCheck: { expect: ['hello', 'bye'], untilPoweroff: true } });

    const fork = await call((await routes.fork()).POST, 'POST', `/api/v1/compositions/${id}/fork`, { name: 'forked' }, { id });
    expect(fork.status, JSON.stringify(fork.body)).toBe(201);
    expect((await get(fork.body.id as string)).body).toMatchObject({ spec: SPEC, bootCheck: { expect: ['hello', 'bye'], untilPoweroff: true } });

    const copy = await call((await routes.duplicate()).POST, 'POST', `/api/v1/compositions/${id}/duplicate`, {}, { id });
    expect(copy.status, JSON.stringify(copy.body)).toBe(201);
    expect((await get(copy.body.id as string)).body.bootCheck).toEqual({ expect: ['hello', 'bye'], untilPoweroff: true });
  });

  it("a build of the composition uses its version's expectations unless the request gives its own", async () => {
    const id = (await create({ name: 'built', spec: SPEC, bootCheck: { expect: ['v1 line'] } })).body.id as string;
    await put(id, { bootCheck: { expect: ['v2 line'], timeoutSeconds: 60 } });
    const build = async (body: Record<string, unknown>) => {
      const res = await call((await routes.builds()).POST, 'POST', '/api/v1/builds', { compositionId: id, formats: ['kernel+initrd'], ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const row = await prisma.build.findUniqueOrThrow({ where: { id: res.body.id as string }, include: { compositionVersion: true } });
      return { version: row.compositionVersion?.version, expectations: JSON.parse(row.bootExpectations ?? 'null') as unknown };
    };
    expect(await build({})).toEqual({ version: 2, expectations: { expect: ['v2 line'], timeoutSeconds: 60 } });
    expect(await build({ compositionVersion: 1 })).toEqual({ version: 1, expectations: { expect: ['v1 line'] } });
    // What the composer sends: the panel as shown, {} when it asks for nothing.
    expect(await build({ bootCheck: {} })).toEqual({ version: 2, expectations: null });
    expect(await build({ bootCheck: { expect: ['unsaved line'] } })).toEqual({ version: 2, expectations: { expect: ['unsaved line'] } });
  });

  it('a rebuild of a composition build still names its composition version and expectations', async () => {
    const id = (await create({ name: 'rebuilt', spec: SPEC, bootCheck: { expect: ['v1 line'] } })).body.id as string;
    const first = await call((await routes.builds()).POST, 'POST', '/api/v1/builds', { compositionId: id, formats: ['kernel+initrd'] });
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const again = await call((await routes.rebuild()).POST, 'POST', `/api/v1/builds/${first.body.id}/rebuild`, {}, { id: first.body.id as string });
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    const row = await prisma.build.findUniqueOrThrow({ where: { id: again.body.id as string }, include: { compositionVersion: { include: { composition: true } } } });
    expect({ composition: row.compositionVersion?.composition.name, version: row.compositionVersion?.version, expectations: JSON.parse(row.bootExpectations ?? 'null') as unknown }).toEqual({ composition: 'rebuilt', version: 1, expectations: { expect: ['v1 line'] } });
  });
});
