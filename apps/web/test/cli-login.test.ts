// `oscompose login` then `oscompose submit` against the web app's real handlers (better-auth,
// the route wrapper, the builds service) behind a plain Node HTTP server, with a real SQLite
// database and a real redis-server for the build queue.
import http from 'node:http';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBuildDeps } from './support/buildDeps';
import { startRedis, type RedisServer } from '@oscompose/queue/testing';
import type { PrismaClient } from '@oscompose/db';
import { useWebDatabase } from './support/database';
import { runLogin, runSubmit } from '@oscompose/engine/cli';

const SPEC = `kernel:
  image: localhost:5000/oscompose/kernel:6.6
  cmdline: "console=ttyS0"
init:
  - localhost:5000/oscompose/init:1
`;

let dir: string;
let server: http.Server;
let base: string;
let redis: RedisServer | undefined;
let prisma: PrismaClient;

type Handler = (req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function handlerFor(pathname: string, method: string): Promise<Handler | undefined> {
  if (pathname.startsWith('/api/auth/')) {
    const { auth } = await import('../src/server/auth/betterAuth');
    return (req) => auth().handler(req);
  }
  const table: Record<string, () => Promise<Record<string, unknown>>> = {
    '/api/v1/teams': () => import('../app/api/v1/teams/route'),
    '/api/v1/tokens': () => import('../app/api/v1/tokens/route'),
    '/api/v1/builds': () => import('../app/api/v1/builds/route'),
  };
  const mod = await table[pathname]?.();
  return mod?.[method] as Handler | undefined;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-login-'));
  server = http.createServer(async (nreq, nres) => {
    const url = new URL(nreq.url ?? '/', base);
    const handler = await handlerFor(url.pathname, nreq.method ?? 'GET');
    if (!handler) {
      nres.writeHead(404).end();
      return;
    }
    const hasBody = nreq.method !== 'GET' && nreq.method !== 'HEAD';
    const req = new Request(url, {
      method: nreq.method,
      headers: nreq.headers as Record<string, string>,
      ...(hasBody ? { body: Readable.toWeb(nreq) as ReadableStream, duplex: 'half' } : {}),
    } as RequestInit);
    const res = await handler(req, { params: Promise.resolve({}) });
    const headers: [string, string][] = [];
    res.headers.forEach((v, k) => k !== 'set-cookie' && headers.push([k, v]));
    for (const c of res.headers.getSetCookie()) headers.push(['set-cookie', c]);
    nres.writeHead(res.status, headers.flat());
    nres.end(Buffer.from(await res.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  Object.assign(process.env, {
    PUBLIC_URL: base,
    REDIS_URL: (redis = await startRedis()).url,
    REDIS_PREFIX: 'login-test',
    OSCOMPOSE_ARTIFACT_STORE: 'local',
    OSCOMPOSE_ARTIFACT_DIR: path.join(dir, 'artifacts'),
  });
  prisma = await useWebDatabase(dir);
  (globalThis as { __oscomposeAuth?: unknown }).__oscomposeAuth = undefined;
  const { setBuildDeps } = await import('../src/server/builds/deps');
  setBuildDeps(undefined);
  // The first sign-up: owner of a new team.
  const res = await fetch(`${base}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ email: 'ops@example.com', password: 'a long password', name: 'Ops' }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}, 60_000);

afterAll(async () => {
  await closeBuildDeps();
  await new Promise<void>((r) => server.close(() => r()));
  await redis?.stop();
  await prisma?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('oscompose login → submit', () => {
  it('signs in with e-mail and password, stores a token (0600), then submits a build with it', async () => {
    const env = { XDG_CONFIG_HOME: path.join(dir, 'config'), PATH: process.env.PATH } as unknown as NodeJS.ProcessEnv;
    const err: string[] = [];
    const code = await runLogin(['--server', base, '--email', 'ops@example.com', '--password-stdin'], {
      out: () => {},
      err: (s) => err.push(s),
      env,
      stdin: async () => 'a long password',
    });
    expect(code, err.join('')).toBe(0);
    expect(err.join('')).toMatch(/logged in .* as ops@example.com .*role owner/);
    const file = path.join(dir, 'config', 'oscompose', 'config.json');
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toMatchObject({ server: base, token: expect.stringMatching(/^osc_/) });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The login session was signed out again; only the token remains.
    expect(await prisma.session.count()).toBe(1); // the sign-up's own session in beforeAll

    const specFile = path.join(dir, 'tiny.yml');
    await writeFile(specFile, SPEC);
    const out: string[] = [];
    const submitErr: string[] = [];
    const rc = await runSubmit([specFile, '--format', 'tar'], { out: (s) => out.push(s), err: (s) => submitErr.push(s), env });
    expect(rc, submitErr.join('')).toBe(0);
    const id = out.join('').trim();
    // The link it prints is the build's page on the server's public URL (PUBLIC_URL above).
    expect(submitErr.join('')).toContain(`build ${id} queued: ${base}/builds/${id}\n`);
    const build = await prisma.build.findUniqueOrThrow({ where: { id } });
    const user = await prisma.user.findUniqueOrThrow({ where: { email: 'ops@example.com' } });
    expect(build.requesterId).toBe(user.id);
  });

  it('refuses a bad token and a wrong password with a message that says what to do', async () => {
    const env = { XDG_CONFIG_HOME: path.join(dir, 'config2') } as unknown as NodeJS.ProcessEnv;
    const err: string[] = [];
    const io = { out: () => {}, err: (s: string) => err.push(s), env };
    expect(await runLogin(['--server', base, '--token', 'osc_' + 'x'.repeat(43)], io)).toBe(1);
    expect(err.join('')).toMatch(/refused the token.*Settings → API tokens/);
    expect(await runLogin(['--server', base, '--email', 'ops@example.com', '--password-stdin'], { ...io, stdin: async () => 'wrong password!' })).toBe(1);
    expect(err.join('')).toMatch(/sign-in failed \(401\)/);
    // A submit without a stored token is refused by the server.
    const specFile = path.join(dir, 'tiny2.yml');
    await writeFile(specFile, SPEC);
    expect(await runSubmit([specFile], { out: () => {}, err: (s) => err.push(s), env })).not.toBe(0);
  });
});
