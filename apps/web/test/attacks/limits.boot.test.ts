// The wall-time limit while the worker boots a build in QEMU: a system that never meets its
// expectations would hold the boot check (and a CPU) until its own timeout. With
// OSCOMPOSE_BUILD_MAX_SECONDS the build is stopped in the middle of the boot: it fails once with
// the limit's message, and no QEMU process, work directory or temporary file is left behind.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarBuffer, writeImage, type FsEntry } from '@oscompose/engine';
import { apiClient, serveApi, type ServedApi, startPipeline, startWorker, workerReady, writeBootableImages, type Pipeline, type WorkerProcess } from '@oscompose/worker/testing';

let p: Pipeline;
let served: ServedApi;
let worker: WorkerProcess;
let tmp: string;
let refs: { kernel: string; init: string };
const { http, waitStatus, events } = apiClient(() => served.api.url);
const LIMIT_S = 15;

/** QEMU processes (and their watchdogs) started for this test's builds: their arguments name its data dir. */
function qemusOfThisTest(): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => /qemu-system/.test(l) && l.includes(p.dataDir));
}

beforeAll(async () => {
  p = await startPipeline({ workerEnv: { WORKER_BOOT_CHECK: 'true', WORKER_BOOT_TIMEOUT_SECONDS: '300', WORKER_LOCK_SECONDS: '30' } });
  tmp = path.join(p.dir, 'worker-tmp');
  await mkdir(tmp, { recursive: true });
  const bootable = await writeBootableImages(p.imageStore);
  // An init that hangs, and (below) an expectation it never meets: the boot check would wait for
  // its 300 s timeout.
  const busybox = readFileSync('/bin/busybox');
  const entry = (p: string, content: string | Buffer, mode = 0o755): FsEntry => {
    const b = Buffer.from(content);
    return { path: p, type: 'file', mode, uid: 0, gid: 0, size: b.length, content: b };
  };
  const hang = 'example.test/attack/hanging-init:1';
  await writeImage(p.imageStore, {
    ref: hang,
    layers: [await tarBuffer([{ path: 'bin', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 }, entry('bin/busybox', busybox), entry('init', '#!/bin/busybox sh\n/bin/busybox echo hanging\nexec /bin/busybox sleep 100000\n')], { mtime: 0 })],
  });
  refs = { kernel: bootable.kernel, init: hang };
  served = await serveApi(p);
  worker = startWorker('boot-limit', { ...p.workerEnv, TMPDIR: tmp, OSCOMPOSE_BUILD_MAX_SECONDS: String(LIMIT_S) });
  await workerReady(worker);
});

afterAll(async () => {
  await worker?.kill();
  await served?.close();
  await p?.cleanup();
});

describe('wall-time limit during the QEMU boot check', () => {
  it('stops the boot, fails the build once with the limit message, leaves no QEMU and no files', async () => {
    const created = await http('POST', '/api/v1/builds', { spec: ['kernel:', `  image: ${refs.kernel}`, '  cmdline: console=ttyS0 panic=-1', '  tar: none', 'init:', `  - ${refs.init}`, ''].join('\n'), formats: ['kernel+initrd'], name: 'hang', bootCheck: { expect: ['a line this system never prints'] } });
    expect(created.status).toBe(202);
    const id = created.body.id;
    // QEMU is running this build's boot before the limit strikes.
    let sawQemu = false;
    for (const until = Date.now() + LIMIT_S * 1000; !sawQemu && Date.now() < until; ) {
      sawQemu = qemusOfThisTest().length > 0;
      await new Promise((r) => setTimeout(r, 200));
    }
    const b = await waitStatus(id, ['succeeded', 'failed']);
    const stream = await events(id);
    const story = stream.map((e) => `${e.event} ${JSON.stringify(e.data).slice(0, 200)}`).join('\n');
    expect(sawQemu, `the boot never started within ${LIMIT_S} s:\n${story}`).toBe(true);
    expect(stream.some((e) => e.event === 'stage' && e.data.stage === 'bootcheck'), story).toBe(true);
    expect(b.status, story).toBe('failed');
    expect(b.error).toBe(
      `Build limit exceeded (OSCOMPOSE_BUILD_MAX_SECONDS = ${LIMIT_S} seconds): the build ran for more than ${LIMIT_S} s (the limit per build) and was stopped. Build fewer formats at once, or a smaller system, or ask the operator to raise OSCOMPOSE_BUILD_MAX_SECONDS.`,
    );
    const row = await p.testDb.db.build.findUniqueOrThrow({ where: { id }, include: { artifacts: true } });
    expect(row.attempts).toBe(1);
    expect(row.artifacts).toEqual([]);
    expect(qemusOfThisTest()).toEqual([]);
    expect(await readdir(path.join(p.dataDir, 'work')).catch(() => [])).toEqual([]);
    expect((await readdir(tmp)).filter((f) => !f.startsWith('tsx-'))).toEqual([]); // tsx keeps its compile cache there
    expect(worker.proc.exitCode).toBeNull();
  });
});
