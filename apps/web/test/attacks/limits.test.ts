// Attacks on the build limits, through the API against the real handlers, a private Redis,
// SQLite and real worker processes with small limits: a decompression bomb, many images that
// together decompress to too much, an image with too many files, a build whose artifacts are too
// big, a build that runs too long. What an attacker looks for: a build that succeeds anyway, an
// artifact to download, a worker that is stuck or dead afterwards, temporary files left to fill
// the disk. Each build must fail once, with a message naming the limit and its setting.

import { randomBytes } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarBuffer, writeImage, type FsEntry } from '@oscompose/engine';
import { apiClient, serveApi, type ServedApi, specText, startPipeline, startWorker, workerReady, writeTestImages, type Pipeline, type WorkerProcess } from '@oscompose/worker/testing';

const MiB = 2 ** 20;
let p: Pipeline;
let served: ServedApi;
let refs: Awaited<ReturnType<typeof writeTestImages>>;
let worker: WorkerProcess;
let tmp: string;
const { http, waitStatus, events } = apiClient(() => served.api.url);

const file = (p: string, content: Buffer): FsEntry => ({ path: p, type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, content });

/** An image in the store whose one layer holds `files` (name → content). */
async function image(name: string, files: Record<string, Buffer>): Promise<string> {
  const ref = `example.test/attack/${name}:1`;
  await writeImage(p.imageStore, { ref, config: { Cmd: ['/bin/true'] }, layers: [await tarBuffer(Object.entries(files).map(([n, c]) => file(n, c)), { mtime: 0 })] });
  return ref;
}

/** Submits a spec with these onboot images; returns the finished build and its row. */
async function build(onboot: string[], formats = ['kernel+initrd']) {
  const spec = specText(refs, { onboot: onboot.map((image, i) => ({ name: `c${i}`, image })), files: [{ path: 'etc/nonce', contents: randomBytes(4).toString('hex') }] });
  const created = await http('POST', '/api/v1/builds', { spec, formats });
  expect(created.status).toBe(202);
  const done = await waitStatus(created.body.id, ['succeeded', 'failed', 'canceled']);
  const row = await p.testDb.db.build.findUniqueOrThrow({ where: { id: created.body.id } });
  return { ...done, row };
}

/** What must be true of every build a limit stopped: failed once, nothing to download, nothing left behind. */
async function expectStopped(b: Awaited<ReturnType<typeof build>>, setting: string) {
  expect(b.status, b.error ?? '').toBe('failed');
  expect(b.error).toMatch(new RegExp(`^Build limit exceeded \\(${setting} = [^)]+\\): .*ask the operator to raise ${setting}\\.$`));
  expect(b.row.attempts).toBe(1);
  expect(b.artifacts).toEqual([]);
  expect(await readdir(path.join(p.dataDir, 'artifacts', 'builds', b.id)).catch(() => [])).toEqual([]);
  const stream = await events(b.id);
  expect(stream.at(-1)).toMatchObject({ event: 'status', data: { status: 'failed', error: b.error } });
  // No work directory, no flatten spill files, no engine scratch left.
  expect(await readdir(path.join(p.dataDir, 'work')).catch(() => [])).toEqual([]);
  expect((await readdir(tmp)).filter((f) => !f.startsWith('tsx-'))).toEqual([]); // tsx keeps its compile cache there
}

async function startLimitedWorker(id: string, env: Record<string, string>) {
  await worker?.kill();
  worker = startWorker(id, { ...p.workerEnv, TMPDIR: tmp, OSCOMPOSE_NO_SECTION_CACHE: '1', ...env });
  await workerReady(worker);
}

beforeAll(async () => {
  p = await startPipeline();
  tmp = path.join(p.dir, 'worker-tmp');
  await mkdir(tmp, { recursive: true });
  refs = await writeTestImages(p.imageStore, { blobBytes: 48 * MiB });
  served = await serveApi(p);
  await startLimitedWorker('limits', {
    OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES: '32M',
    OSCOMPOSE_BUILD_MAX_UNPACKED_BYTES: '48M',
    OSCOMPOSE_IMAGE_MAX_ENTRIES: '2000',
    OSCOMPOSE_BUILD_MAX_ARTIFACT_BYTES: '24M',
  });
});

afterAll(async () => {
  await worker?.kill();
  await served?.close();
  await p?.cleanup();
});

describe('build limits (attacks through the API, real worker)', () => {
  it('a decompression bomb (64 MiB of zeros in a tiny layer) stops at the per-image limit', async () => {
    const bomb = await image('bomb', { 'data/zeros': Buffer.alloc(64 * MiB) });
    const b = await build([bomb]);
    await expectStopped(b, 'OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES');
    expect(b.error).toMatch(/= 32 MiB\): image \S+, layer sha256:[0-9a-f]{64}: the image decompresses to more than 33554432 bytes/);
  });

  it('images that are each under the limit but together over it stop at the per-build limit', async () => {
    const parts = await Promise.all([1, 2, 3].map((i) => image(`part${i}`, { [`data/part${i}`]: Buffer.alloc(20 * MiB, i) })));
    const b = await build(parts);
    await expectStopped(b, 'OSCOMPOSE_BUILD_MAX_UNPACKED_BYTES');
    expect(b.error).toMatch(/the images of this build decompress to more than 50331648 bytes/);
  });

  it('an image with more files than allowed stops at the entry limit', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 3000; i++) files[`many/f${i}`] = Buffer.from(String(i));
    const b = await build([await image('many', files)]);
    await expectStopped(b, 'OSCOMPOSE_IMAGE_MAX_ENTRIES');
    expect(b.error).toMatch(/the image has more than 2000 entries/);
  });

  it('artifacts over the per-build total are not published', async () => {
    // 20 MiB that does not compress: the initrd and the tar are each about that big.
    const big = await image('noise', { 'data/noise': randomBytes(20 * MiB) });
    const one = await build([big], ['kernel+initrd']);
    expect(one.status, one.error ?? '').toBe('succeeded'); // under the limit alone
    const b = await build([big], ['kernel+initrd', 'tar']);
    await expectStopped(b, 'OSCOMPOSE_BUILD_MAX_ARTIFACT_BYTES');
    expect(b.error).toMatch(/the build's artifacts add up to \d+ bytes or more, over the limit of 25165824 bytes per build; nothing was published/);
  });

  it('a build that runs too long is stopped, leaves nothing behind, and the worker goes on', async () => {
    await startLimitedWorker('walltime', { OSCOMPOSE_BUILD_MAX_SECONDS: '1' });
    // 48 MiB of noise takes this machine well over a second to compress.
    const b = await build([refs.slow]);
    await expectStopped(b, 'OSCOMPOSE_BUILD_MAX_SECONDS');
    expect(b.error).toMatch(/the build ran for more than 1 s \(the limit per build\) and was stopped/);
    const next = await build([refs.hello]);
    expect(next.status, next.error ?? '').toBe('succeeded');
    expect(worker.proc.exitCode).toBeNull();
  });
});
