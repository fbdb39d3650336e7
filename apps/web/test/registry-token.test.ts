// oscompose as token-auth server of a real docker-registry (Debian's CNCF distribution registry):
// pushes and pulls with API tokens as passwords, team namespaces private to their team, the
// public oscompose/* namespace pullable by anyone, push only for roles holding catalog:write.
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, pushImage, type MemoryImage } from '@oscompose/engine/testing';
import { freePort, startRegistry, type TestRegistry } from '@oscompose/queue/testing';
import type { PrismaClient } from '@oscompose/db';
import { addMember, useWebDatabase } from './support/database';
import { grant, parseScope } from '../src/server/auth/registryToken';

let dir: string;
let prisma: PrismaClient;
let tokenServer: http.Server;
let tokenUrl: string;
let registry: TestRegistry | undefined;
let host: string;
let image: MemoryImage;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-regtoken-'));
  process.env.OSCOMPOSE_REGISTRY_TOKEN_DIR = path.join(dir, 'keys');
  // The registry and its token server are on loopback: the operator allows exactly them, as
  // OSCOMPOSE_ALLOWED_REGISTRIES would for a local registry (docs/security.md).
  const port = await freePort();
  const tokenPort = await freePort();
  host = `127.0.0.1:${port}`;
  process.env.OSCOMPOSE_ALLOWED_REGISTRIES = `${host},127.0.0.1:${tokenPort}`;
  prisma = await useWebDatabase(dir);
  for (const [slug, roles] of [['team-a', ['owner', 'viewer']], ['team-b', ['owner']]] as const) {
    const team = await prisma.team.create({ data: { name: slug, slug } });
    for (const role of roles) {
      tokens[`${role}@${slug}`] = (await addMember(prisma, { teamId: team.id, role, name: `${role}-${slug}`, email: `${role}@${slug}.example.com`, tokenName: 'registry' })).token;
    }
  }

  const { GET } = (await import('../app/api/v1/registry/token/route')) as { GET: (r: Request) => Promise<Response> };
  tokenServer = http.createServer(async (req, res) => {
    const r = await GET(new Request(`http://127.0.0.1${req.url}`, { headers: req.headers as Record<string, string> }));
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((r) => tokenServer.listen(tokenPort, '127.0.0.1', r));
  tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/api/v1/registry/token`;
  // The first token request makes the key and certificate the registry must trust.
  expect((await fetch(tokenUrl)).status).toBe(200);

  registry = await startRegistry({ port, tokenService: { realm: tokenUrl, service: 'oscompose-registry', issuer: 'oscompose', rootCertBundle: path.join(dir, 'keys', 'cert.pem') } });
  image = await makeImage({ files: { 'hello.txt': { content: 'hello from team a\n' } } });
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  await new Promise<void>((r) => (tokenServer ? tokenServer.close(() => r()) : r()));
  await prisma?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

/** What `docker pull` does: a token for the scope, then the manifest with it. */
async function pullStatus(repo: string, token?: string): Promise<number> {
  const auth = token ? { authorization: `Basic ${Buffer.from(`me:${token}`).toString('base64')}` } : undefined;
  const t = await fetch(`${tokenUrl}?service=oscompose-registry&scope=repository:${repo}:pull`, { headers: auth });
  if (t.status !== 200) return t.status;
  const { token: jwt } = (await t.json()) as { token: string };
  const res = await fetch(`http://${host}/v2/${repo}/manifests/1`, {
    headers: { authorization: `Bearer ${jwt}`, accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  await res.arrayBuffer();
  return res.status;
}

describe('registry token-auth server', () => {
  it('grants by namespace, role and token scopes (policy)', () => {
    const viewer = { userId: 'u', teamSlug: 'team-a', role: 'viewer' as const, scopes: [] };
    expect(grant(parseScope('repository:team-a/x:pull,push')!, viewer)).toEqual(['pull']);
    expect(grant(parseScope('repository:team-a/x:pull,push')!, { ...viewer, role: 'admin' })).toEqual(['pull', 'push']);
    expect(grant(parseScope('repository:team-b/x:pull')!, { ...viewer, role: 'owner' })).toEqual([]);
    expect(grant(parseScope('repository:oscompose/init:pull,push')!, null)).toEqual(['pull']);
    expect(grant(parseScope('repository:team-a/x:pull')!, { ...viewer, scopes: ['build:read'] })).toEqual([]);
    expect(parseScope('repository:Bad Name:pull')).toBeNull();
  });

  it('an owner pushes into the team namespace; a viewer pulls it; another team and anonymous cannot', async () => {
    await pushImage(host, `${host}/team-a/hello:1`, image, { username: 'owner', password: tokens['owner@team-a']! });
    expect(await pullStatus('team-a/hello', tokens['viewer@team-a'])).toBe(200);
    expect(await pullStatus('team-a/hello', tokens['owner@team-b'])).toBe(401);
    expect(await pullStatus('team-a/hello')).toBe(401);
  });

  it('a viewer cannot push, nobody pushes to another team or to oscompose/*; anyone pulls oscompose/*', async () => {
    await expect(pushImage(host, `${host}/team-a/other:1`, image, { username: 'v', password: tokens['viewer@team-a']! })).rejects.toThrow();
    await expect(pushImage(host, `${host}/team-a/other:1`, image, { username: 'b', password: tokens['owner@team-b']! })).rejects.toThrow();
    await expect(pushImage(host, `${host}/oscompose/init:1`, image, { username: 'a', password: tokens['owner@team-a']! })).rejects.toThrow();
    // Nothing was pushed to oscompose/init, so an anonymous pull is authorised but finds nothing.
    expect(await pullStatus('oscompose/init')).toBe(404);
  });

  it('adds a private image to the team catalog by reference, with the team registry credential', async () => {
    await pushImage(host, `${host}/team-a/labelled:2`, await makeImage({ files: { 'x': { content: 'x' } }, labels: { 'org.mobyproject.config': '{"capabilities":["CAP_NET_ADMIN"]}' } }), {
      username: 'owner',
      password: tokens['owner@team-a']!,
    });
    const { POST, GET } = (await import('../app/api/v1/catalog/route')) as unknown as Record<string, (r: Request) => Promise<Response>>;
    const add = (token: string) =>
      POST!(new Request('http://localhost/api/v1/catalog', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ reference: `${host}/team-a/labelled:2`, kind: 'service' }) }));
    // Without a stored credential the private repository is refused by the registry.
    const refused = await add(tokens['owner@team-a']!);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('image_unavailable'); // the registry's 401, not the policy
    const { PUT } = (await import('../app/api/v1/credentials/route')) as unknown as Record<string, (r: Request) => Promise<Response>>;
    const saved = await PUT!(new Request('http://localhost/api/v1/credentials', { method: 'PUT', headers: { authorization: `Bearer ${tokens['owner@team-a']}` }, body: JSON.stringify({ host, username: 'robot', secret: tokens['owner@team-a'] }) }));
    expect(saved.status).toBe(200);
    const res = await add(tokens['owner@team-a']!);
    expect(res.status, await res.clone().text()).toBe(201);
    const entry = (await res.json()) as { pinnedDigest: string; defaultConfig: unknown; teamId: string; architectures: string[] };
    expect(entry.pinnedDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(entry.defaultConfig)).toContain('CAP_NET_ADMIN');
    expect(entry.architectures).toEqual(['amd64']);
    // A viewer may not add; the other team does not see the entry.
    expect((await add(tokens['viewer@team-a']!)).status).toBe(403);
    const list = await GET!(new Request('http://localhost/api/v1/catalog', { headers: { authorization: `Bearer ${tokens['owner@team-b']}` } }));
    expect(JSON.stringify(await list.json())).not.toContain('team-a/labelled');
  });

  it('refuses a bad token with 401', async () => {
    expect(await pullStatus('team-a/hello', 'osc_' + 'z'.repeat(43))).toBe(401);
  });
});
