// Uploading image archives to the team catalog through the real route handler, on the real SQLite
// database, with real API tokens: an OCI archive and a `docker save` tarball are imported into the
// image store under <registry>/<team slug>/<name>:<tag> and listed as private catalog entries;
// corrupt and oversized archives, duplicates and viewers are refused.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobCache, tarBuffer } from '@oscompose/engine';
import { filesToEntries, makeImage, ociArchiveFiles, type MemoryImage } from '@oscompose/engine/testing';
import type { PrismaClient } from '@oscompose/db';
import { addMember, useWebDatabase } from './support/database';
import { runPush } from '@oscompose/engine/cli';

let dir: string;
let prisma: PrismaClient;
let image: MemoryImage;
const tokens: Record<string, string> = {};

/** An OCI archive (tarred image layout); `name` is the ref.name annotation, if any. */
async function ociArchive(img: MemoryImage, name?: string, corrupt = false): Promise<Buffer> {
  const files = ociArchiveFiles(img, name);
  if (corrupt) for (const d of img.blobs.keys()) if (d !== img.manifest.config.digest) files[`blobs/sha256/${d.slice(7)}`] = Buffer.concat([img.blobs.get(d)!, Buffer.from('x')]);
  return tarBuffer(filesToEntries(files));
}

/** A `docker save` tarball: manifest.json, the config, uncompressed layer tars. */
async function dockerArchive(img: MemoryImage, repoTag: string): Promise<Buffer> {
  const layers = img.layerTars.map((_, i) => `layer${i}/layer.tar`);
  const files: Record<string, Buffer> = {
    'manifest.json': Buffer.from(JSON.stringify([{ Config: 'config.json', RepoTags: [repoTag], Layers: layers }])),
    'config.json': img.configBytes,
  };
  img.layerTars.forEach((t, i) => (files[layers[i]!] = t));
  return tarBuffer(filesToEntries(files));
}

async function upload(as: string, query: string, body: Buffer | undefined): Promise<Response> {
  const { POST } = await import('../app/api/v1/catalog/uploads/route');
  const req = new Request(`http://localhost:3000/api/v1/catalog/uploads?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[as]}`, 'content-type': 'application/octet-stream' },
    ...(body ? { body: new Uint8Array(body) } : {}),
  });
  return POST(req, { params: Promise.resolve({}) });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-upload-test-'));
  process.env.OSCOMPOSE_IMAGE_STORE = path.join(dir, 'images');
  process.env.OSCOMPOSE_REGISTRY = 'registry.test:5000';
  process.env.OSCOMPOSE_UPLOAD_MAX_BYTES = String(1 << 20);
  prisma = await useWebDatabase(dir);
  for (const [slug, role] of [['team-a', 'admin'], ['team-a', 'viewer'], ['team-b', 'admin']] as const) {
    const team = (await prisma.team.findUnique({ where: { slug } })) ?? (await prisma.team.create({ data: { name: slug, slug } }));
    tokens[`${role}-${slug}`] = (await addMember(prisma, { teamId: team.id, role, name: `${role}-${slug}`, email: `${role}@${slug}.example.com`, tokenName: 'upload test', signedUp: true })).token;
  }
  image = await makeImage({
    files: { 'usr/bin/daemon': '#!/bin/sh\necho hi\n' },
    labels: { 'org.mobyproject.config': JSON.stringify({ capabilities: ['CAP_NET_ADMIN'], binds: ['/var/run:/var/run'] }), 'org.opencontainers.image.description': 'a test daemon' },
  });
}, 60_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('POST /api/v1/catalog/uploads', () => {
  it('imports an OCI archive into the image store and adds a private team entry with the label defaults', async () => {
    const res = await upload('admin-team-a', 'name=daemon&tag=1.0&kind=service', await ociArchive(image));
    const entry = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(entry)).toBe(201);
    expect(entry).toMatchObject({
      reference: 'registry.test:5000/team-a/daemon:1.0',
      name: 'daemon',
      kind: 'service',
      source: 'upload',
      pinnedDigest: image.digest,
      architectures: ['amd64'],
      description: 'a test daemon',
      defaultConfig: { capabilities: ['CAP_NET_ADMIN'], binds: ['/var/run:/var/run'] },
    });
    expect(entry.size).toBe(image.manifest.config.size + image.manifest.layers.reduce((n, l) => n + l.size, 0));
    // The store names the image by the team reference: a build resolves it from there.
    const store = new BlobCache(process.env.OSCOMPOSE_IMAGE_STORE);
    expect((await store.lookup('registry.test:5000/team-a/daemon:1.0'))?.digest).toBe(image.digest);
    const audit = await prisma.auditEvent.findMany({ where: { action: 'catalog.upload' } });
    expect(audit.map((a) => a.target)).toContain('registry.test:5000/team-a/daemon:1.0');
  });

  it('imports a gzip\'d docker save tarball under the team name, not the name it was saved with', async () => {
    const res = await upload('admin-team-b', 'name=daemon&tag=2&kind=onboot&title=Daemon', gzipSync(await dockerArchive(image, 'someone/else:9')));
    const entry = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(entry)).toBe(201);
    expect(entry).toMatchObject({ reference: 'registry.test:5000/team-b/daemon:2', kind: 'onboot', title: 'Daemon', source: 'upload' });
    const store = new BlobCache(process.env.OSCOMPOSE_IMAGE_STORE);
    expect(await store.lookup('registry.test:5000/team-b/daemon:2')).toBeDefined();
    expect(await store.lookup('docker.io/someone/else:9')).toBeUndefined();
  });

  it('keeps each team\'s uploads private', async () => {
    const { GET } = await import('../app/api/v1/catalog/route');
    const list = async (as: string) => JSON.stringify(await (await GET(new Request('http://localhost:3000/api/v1/catalog', { headers: { authorization: `Bearer ${tokens[as]}` } }), { params: Promise.resolve({}) })).json());
    expect(await list('viewer-team-a')).toContain('team-a/daemon:1.0');
    expect(await list('viewer-team-a')).not.toContain('team-b/daemon:2');
    expect(await list('admin-team-b')).not.toContain('team-a/daemon:1.0');
  });

  it('refuses the same name and tag twice (409)', async () => {
    const res = await upload('admin-team-a', 'name=daemon&tag=1.0&kind=service', await ociArchive(image));
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/already in the team catalog/);
  });

  it('refuses a corrupt archive (blob digests do not match) with 422 and adds nothing', async () => {
    const res = await upload('admin-team-a', 'name=broken&kind=service', await ociArchive(image, undefined, true));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/corrupt/);
    expect(await prisma.catalogEntry.count({ where: { name: 'broken' } })).toBe(0);
  });

  it('refuses something that is not an image archive with 422', async () => {
    const res = await upload('admin-team-a', 'name=notimage&kind=service', await tarBuffer(filesToEntries({ 'hello.txt': 'hi' })));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/not an OCI archive/);
  });

  it('refuses an archive over the upload limit with 413', async () => {
    const big = await makeImage({ files: { blob: randomBytes(2 << 20) } }); // random: the layer is gzip'd
    const res = await upload('admin-team-a', 'name=big&kind=service', await ociArchive(big));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/OSCOMPOSE_UPLOAD_MAX_BYTES/);
  });

  it('refuses an empty body and a bad name with 400, and a viewer with 403', async () => {
    expect((await upload('admin-team-a', 'name=empty&kind=service', undefined)).status).toBe(400);
    expect((await upload('admin-team-a', 'name=../etc&kind=service', await ociArchive(image))).status).toBe(400);
    expect((await upload('viewer-team-a', 'name=mine&kind=service', await ociArchive(image))).status).toBe(403);
  });
});

describe('oscompose push (CLI) against the upload route behind a plain HTTP server', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    const { POST } = await import('../app/api/v1/catalog/uploads/route');
    server = http.createServer(async (nreq, nres) => {
      const url = new URL(nreq.url ?? '/', base);
      if (url.pathname !== '/api/v1/catalog/uploads' || nreq.method !== 'POST') return void nres.writeHead(404).end();
      const req = new Request(url, { method: 'POST', headers: nreq.headers as Record<string, string>, body: Readable.toWeb(nreq) as ReadableStream, duplex: 'half' } as RequestInit);
      const res = await POST(req, { params: Promise.resolve({}) });
      nres.writeHead(res.status, { 'content-type': res.headers.get('content-type') ?? 'application/json' });
      nres.end(Buffer.from(await res.arrayBuffer()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const run = async (args: string[], env: Record<string, string>) => {
    let out = '';
    let err = '';
    const code = await runPush(args, { out: (s) => void (out += s), err: (s) => void (err += s), env: { XDG_CONFIG_HOME: path.join(dir, 'no-config'), ...env } });
    return { code, out, err };
  };

  it('uploads an archive with the token from the environment and prints the pinned reference', async () => {
    const file = path.join(dir, 'pushed.tar');
    await writeFile(file, await dockerArchive(image, 'daemon:local'));
    const r = await run([file, '--name', 'pushed:3', '--kind', 'service'], { OSCOMPOSE_SERVER: base, OSCOMPOSE_TOKEN: tokens['admin-team-a']! });
    expect(r.code, r.err).toBe(0);
    const row = await prisma.catalogEntry.findFirst({ where: { reference: 'registry.test:5000/team-a/pushed:3' } });
    expect(row?.source).toBe('upload');
    // A docker archive gets a manifest written on import, so its digest is the one stored.
    expect(row?.pinnedDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(r.out.trim()).toBe(`registry.test:5000/team-a/pushed:3@${row?.pinnedDigest}`);
  });

  it('exits non-zero with the server\'s reason for a viewer, and with a usage error for a bad name', async () => {
    const file = path.join(dir, 'pushed.tar');
    const denied = await run([file, '--name', 'other', '--kind', 'service', '--server', base, '--token', tokens['viewer-team-a']!], {});
    expect(denied.code).toBe(1);
    expect(denied.err).toMatch(/403|permission|role/i);
    const bad = await run([file, '--name', 'Team/Other', '--kind', 'service', '--server', base], {});
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/NAME\[:TAG\]/);
  });
});
