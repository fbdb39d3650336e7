import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Caller } from '../auth/caller';
import { setCallerResolver } from '../auth/resolveCaller';
import { NotFoundError } from '../errors';
import { json, route } from './route';

const member: Caller = { userId: 'u1', teamId: 't1', role: 'member', via: 'local' };
const as = (caller: Caller | null) => setCallerResolver(async () => caller);

afterEach(() => setCallerResolver(undefined));

const getBuild = route(
  { permission: 'build:read', params: z.object({ id: z.string().min(3) }), query: z.object({ page: z.coerce.number().int().min(1).default(1) }) },
  async ({ caller, params, query }) => ({ id: params.id, page: query.page, team: caller.teamId }),
);
const createBuild = route(
  { permission: 'build:create', body: z.object({ formats: z.array(z.string()).min(1) }) },
  async ({ body }) => json({ formats: body.formats }, 202),
);
const deleteTeam = route({ permission: 'team:delete' }, async () => undefined);

describe('route wrapper', () => {
  it('passes parsed params, query and the caller to the handler', async () => {
    as(member);
    const res = await getBuild(new Request('http://x/api/v1/builds/abc?page=3'), { params: Promise.resolve({ id: 'abc' }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'abc', page: 3, team: 't1' });
  });

  it('answers 401 without a caller and 403 when the role lacks the permission', async () => {
    as(null);
    const anon = await getBuild(new Request('http://x/api/v1/builds/abc'), { params: Promise.resolve({ id: 'abc' }) });
    expect(anon.status).toBe(401);
    expect((await anon.json()).error.code).toBe('unauthorized');

    as(member);
    const res = await deleteTeam(new Request('http://x/api/v1/teams/t1', { method: 'DELETE' }));
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/role \(member\).*team:delete/);

    as({ ...member, role: 'viewer' });
    const viewer = await createBuild(new Request('http://x/api/v1/builds', { method: 'POST', body: '{"formats":["tar"]}' }));
    expect(viewer.status).toBe(403);
  });

  it('answers 400 with problems for bad input, naming where it was', async () => {
    as(member);
    const badBody = await createBuild(new Request('http://x/api/v1/builds', { method: 'POST', body: '{"formats":[]}' }));
    expect(badBody.status).toBe(400);
    const body = await badBody.json();
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.problems[0].path).toBe('body.formats');

    const notJson = await createBuild(new Request('http://x/api/v1/builds', { method: 'POST', body: '{formats' }));
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.code).toBe('invalid_json');

    const badParam = await getBuild(new Request('http://x/api/v1/builds/a'), { params: Promise.resolve({ id: 'a' }) });
    expect((await badParam.json()).error.problems[0].path).toBe('params.id');
  });

  it('maps typed errors to their status and hides unexpected ones', async () => {
    as(member);
    const missing = route({ permission: 'build:read' }, async () => {
      throw new NotFoundError('Build b1');
    });
    const res = await missing(new Request('http://x/'));
    expect(res.status).toBe(404);
    expect((await res.json()).error.message).toMatch(/Build b1 was not found/);

    const spec = route({ permission: 'build:read' }, async () => {
      const err = Object.assign(new Error('kernel: required'), { name: 'SpecError', problems: [{ line: 2, col: 1, message: 'kernel: required' }] });
      throw err;
    });
    const specRes = await spec(new Request('http://x/'));
    expect(specRes.status).toBe(400);
    expect((await specRes.json()).error).toMatchObject({ code: 'invalid_spec', problems: [{ line: 2, col: 1 }] });

    const boom = route({ permission: 'build:read' }, async () => {
      throw new Error('secret internals');
    });
    const origError = console.error;
    console.error = () => {};
    const boomRes = await boom(new Request('http://x/'));
    console.error = origError;
    expect(boomRes.status).toBe(500);
    expect(JSON.stringify(await boomRes.json())).not.toMatch(/secret/);
  });
});
