// Attacks on POST /api/v1/catalog/uploads through the real route handler, real SQLite and real
// API tokens: archives with `../` and absolute member names, a symlink out of the archive and a
// write through a symlink, a member that declares a huge size, a gzip bomb. What an attacker looks
// for: a file written outside the image store (in /tmp, next to the store, anywhere the names
// point), the server reading gigabytes, an entry added to the catalog anyway. Each is refused
// with a message that says what is wrong, and nothing appears outside the store.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarBuffer, type FsEntry } from '@oscompose/engine';
import { filesToEntries, makeImage, ociArchiveFiles, type MemoryImage } from '@oscompose/engine/testing';
import type { PrismaClient } from '@oscompose/db';
import { addMember, useWebDatabase } from '../support/database';

let dir: string;
let tmp: string;
let prisma: PrismaClient;
let token: string;
let image: MemoryImage;
/** Names an attack would leave behind if it worked; /tmp is where attackers aim. */
const marker = `oscompose-attack-${randomBytes(6).toString('hex')}`;

const file = (p: string, content: string | Buffer): FsEntry => {
  const b = Buffer.from(content);
  return { path: p, type: 'file', mode: 0o644, uid: 0, gid: 0, size: b.length, content: b };
};
const link = (p: string, target: string): FsEntry => ({ path: p, type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkname: target });

/** A valid OCI archive of `image` with hostile members first. */
async function archive(hostile: FsEntry[]): Promise<Buffer> {
  return tarBuffer([...hostile, ...filesToEntries(ociArchiveFiles(image))]);
}

/** Every path under `root` (files and directories), relative. */
async function tree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const e of await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => [])) {
      const r = path.join(rel, e.name);
      out.push(r);
      if (e.isDirectory()) await walk(r);
    }
  };
  await walk('');
  return out.sort();
}

async function upload(query: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; error?: { code: string; message: string } }> {
  const { POST } = await import('../../app/api/v1/catalog/uploads/route');
  const req = new Request(`http://localhost:3000/api/v1/catalog/uploads?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', ...headers },
    body: new Uint8Array(body),
  });
  const res = await POST(req, { params: Promise.resolve({}) });
  const json = (await res.json()) as { error?: { code: string; message: string } };
  return { status: res.status, ...(json.error ? { error: json.error } : {}) };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-upload-attack-'));
  // The handler spools uploads to the OS temporary directory: make it one we can watch.
  tmp = path.join(dir, 'tmp');
  await mkdir(tmp);
  process.env.TMPDIR = tmp;
  process.env.OSCOMPOSE_IMAGE_STORE = path.join(dir, 'store', 'images');
  process.env.OSCOMPOSE_REGISTRY = 'registry.test:5000';
  process.env.OSCOMPOSE_UPLOAD_MAX_BYTES = String(2 << 20);
  process.env.OSCOMPOSE_UPLOAD_MAX_UNPACKED_BYTES = String(16 << 20);
  prisma = await useWebDatabase(dir);
  const team = await prisma.team.create({ data: { name: 'attack', slug: 'attack' } });
  token = (await addMember(prisma, { teamId: team.id, role: 'admin', name: 'admin', email: 'admin@attack.example.com', tokenName: 'attack' })).token;
  image = await makeImage({ files: { 'usr/bin/daemon': '#!/bin/sh\necho hi\n' } });
  // The control: the same archive without hostile members is accepted.
  const ok = await upload('name=control&kind=service', await archive([]));
  expect(ok.status, JSON.stringify(ok)).toBe(201);
}, 60_000);

afterAll(async () => {
  delete process.env.TMPDIR;
  await prisma?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

const attacks: [string, () => Promise<Buffer>, number, RegExp][] = [
  ['`../` member names', () => archive([file(`../../../../../../../../tmp/${marker}-dotdot`, 'owned'), file(`blobs/../../${marker}-up`, 'owned')]), 422, /path traversal/],
  ['an absolute member name', () => archive([file(`/tmp/${marker}-abs`, 'owned')]), 422, /member name "\/tmp\/oscompose-attack-[0-9a-f]+-abs" is absolute; the archive is refused/],
  ['a symlink out of the archive, then a write through it', () => archive([link('escape', '/tmp'), file(`escape/${marker}-link`, 'owned')]), 422, /symlink "escape" points to the absolute path "\/tmp"/],
  ['a relative symlink that climbs out, then a write through it', () => archive([link('up', '../../../../../tmp'), file(`up/${marker}-rel`, 'owned')]), 422, /link "up" points outside the archive/],
  ['a write through a symlink inside the archive', () => archive([link('blobs2', 'blobs'), file(`blobs2/${marker}-inner`, 'owned')]), 422, /"blobs2\/oscompose-attack-[0-9a-f]+-inner" is inside "blobs2", which is a link/],
  [
    'a member that declares a huge size (only the header is sent)',
    async () => {
      const h = (await tarBuffer([file('blobs/sha256/huge', '')])).subarray(0, 512);
      h.write((7 * 2 ** 30).toString(8).padStart(11, '0') + '\0', 124, 12, 'latin1');
      h.fill(0x20, 148, 156);
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += h[i]!;
      h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
      return Buffer.from(h);
    },
    413,
    /^the uploaded archive: member "blobs\/sha256\/huge" declares 7516192768 bytes, more than the 2097152-byte limit per blob; the server's limits are OSCOMPOSE_UPLOAD_MAX_UNPACKED_BYTES .* and OSCOMPOSE_UPLOAD_MAX_BYTES/,
  ],
  [
    'a gzip bomb (a small body that decompresses to 64 MiB)',
    async () => gzipSync(await tarBuffer(Array.from({ length: 64 }, (_, i) => file(`blobs/sha256/${i}`, Buffer.alloc(1 << 20))))),
    413,
    /^the uploaded archive: the archive decompresses to more than 16777216 bytes \(a gzip bomb.*OSCOMPOSE_UPLOAD_MAX_UNPACKED_BYTES/,
  ],
];

describe('hostile uploads (POST /api/v1/catalog/uploads)', () => {
  it.each(attacks)('refuses %s, writes nothing outside the store, adds nothing', async (_what, make, status, message) => {
    const body = await make();
    expect(body.length).toBeLessThan(2 << 20); // every attack fits the upload limit
    const outside = await tree(dir);
    const storeBefore = await tree(path.join(dir, 'store', 'images'));
    const entries = await prisma.catalogEntry.count();

    const res = await upload(`name=evil${randomBytes(2).toString('hex')}&kind=service`, body);
    expect(res.status, JSON.stringify(res)).toBe(status);
    expect(res.error!.message).toMatch(message);
    expect(res.error!.message).not.toContain(dir); // no server paths in the answer

    // Nothing where the names point, nothing new next to the store, the spool file is gone.
    for (const suffix of ['dotdot', 'up', 'abs', 'link', 'rel', 'inner']) {
      expect(existsSync(path.join('/tmp', `${marker}-${suffix}`))).toBe(false);
      expect(existsSync(path.join(dir, `${marker}-${suffix}`))).toBe(false);
    }
    const now = (await tree(dir)).filter((p) => !p.startsWith(path.join('store', 'images', 'blobs')) && !p.startsWith('db.sqlite'));
    expect(now).toEqual(outside.filter((p) => !p.startsWith(path.join('store', 'images', 'blobs')) && !p.startsWith('db.sqlite')));
    expect(await readdir(tmp)).toEqual([]);
    // Inside the store only content-addressed blobs may have appeared, and no half-written one.
    const added = (await tree(path.join(dir, 'store', 'images'))).filter((p) => !storeBefore.includes(p));
    for (const p of added) expect(p).toMatch(/^blobs\/sha256\/[0-9a-f]{64}$/);
    for (const p of added) expect((await stat(path.join(dir, 'store', 'images', p))).size).toBeLessThanOrEqual(2 << 20);
    expect(await prisma.catalogEntry.count()).toBe(entries);
  });
});
