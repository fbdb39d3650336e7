// runTestdrive with a real QEMU, a real redis-server and a real database: every way a testdrive
// ends (user stop, time limit, no viewer, worker shutdown, a stop before it started) stops QEMU
// and says why on the console stream and the row. The VM boots an "ISO" with nothing bootable
// on it: the firmware waits forever, so each end is the one the test caused.

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testdriveState } from '@oscompose/db';
import { createProducerConnection, readTestdriveOutput, sendTestdriveInput, testdriveKeys, type TestdriveOutputEntry } from '@oscompose/queue';
import { createTestDb, startRedis, waitFor, type RedisServer, type TestDb } from '@oscompose/queue/testing';
import { artifactKey, LocalArtifactStore } from '@oscompose/storage';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTestdrive, type TestdriveDeps } from './runTestdrive';

let dir: string;
let redisServer: RedisServer;
let t: TestDb;
let redis: Redis;
let deps: TestdriveDeps;
let buildId: string;
const conns: Redis[] = [];
const prefix = 'tdrun';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-testdrive-'));
  redisServer = await startRedis();
  t = await createTestDb(dir);
  const conn = () => {
    const c = createProducerConnection(redisServer.url, { maxRetriesPerRequest: null });
    c.on('error', () => {});
    conns.push(c);
    return c;
  };
  redis = conn();
  const store = new LocalArtifactStore(path.join(dir, 'artifacts'));
  buildId = (await t.db.build.create({ data: { teamId: t.teamId, specText: 's', specHash: 'h', status: 'succeeded', formats: '["iso-bios"]' } })).id;
  const iso = path.join(dir, 'nothing-bootable.iso');
  await writeFile(iso, Buffer.alloc(2 * 1024 * 1024));
  const key = artifactKey(buildId, 'linuxkit.iso');
  const stored = await store.put(key, iso);
  await t.db.artifact.create({ data: { buildId, format: 'iso-bios', name: 'linuxkit.iso', size: BigInt(stored.size), sha256: stored.sha256 ?? '', storageKey: key } });
  deps = { db: t.db, store, redis, blockingConnection: conn, redisPrefix: prefix, workRoot: path.join(dir, 'work'), maxMemoryMb: 128, maxCpus: 1, checkMs: 200, log: (m, e) => process.env.TD_DEBUG && console.log(new Date().toISOString(), m, JSON.stringify(e)) };
});

afterAll(async () => {
  for (const c of conns) c.disconnect();
  await t?.db.$disconnect();
  await redisServer?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** QEMU processes (not their watchdog shells) booting this testdrive's copy of the artifact. */
function qemusOf(id: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `^qemu-system-x86_64 .*testdrive-${id}/`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function readAll(id: string): Promise<TestdriveOutputEntry[]> {
  return readTestdriveOutput(redis, prefix, id, '0', 1);
}

const newTestdrive = (o: { limitSeconds?: number; memoryMb?: number } = {}) =>
  testdriveState.create(t.db, { buildId, userId: t.userId, format: 'iso-bios', memoryMb: o.memoryMb ?? 128, cpus: 1, limitSeconds: o.limitSeconds ?? 900 });

async function startAndWaitRunning(id: string, extra: Partial<TestdriveDeps> = {}, signal = new AbortController().signal) {
  const run = runTestdrive({ ...deps, ...extra }, id, `w1#${id}`, signal);
  await waitFor(async () => qemusOf(id).length > 0, 'QEMU to start', 60_000);
  // Wrapped: returning the promise itself would make the caller wait for the run to end.
  return { run };
}

describe('runTestdrive', () => {
  it("the user's stop kills QEMU; the stream and the row say so", async () => {
    const td = await newTestdrive({ memoryMb: 4096 });
    const { run } = await startAndWaitRunning(td.id);
    // The memory cap of this worker applies whatever the row asked.
    expect(execFileSync('ps', ['-o', 'args=', '-p', qemusOf(td.id)[0]!], { encoding: 'utf8' })).toMatch(/-m 128 /);
    expect(await testdriveState.stop(t.db, td.id, 'user')).toBe(true);
    await sendTestdriveInput(redis, prefix, td.id, { control: 'stop' });
    expect(await run).toMatchObject({ status: 'stopped', endReason: 'user' });
    expect(qemusOf(td.id)).toEqual([]);
    const entries = await readAll(td.id);
    expect(entries.at(-1)).toMatchObject({ end: 'user' });
    const row = await t.db.testdrive.findUniqueOrThrow({ where: { id: td.id } });
    expect(row).toMatchObject({ status: 'stopped', endReason: 'user', transcriptKey: null });
    // SeaBIOS prints nothing on the serial port for this ISO: no output, no transcript.
    expect(entries.filter((e) => 'data' in e)).toEqual([]);
  }, 120_000);

  it('the time limit ends the VM', async () => {
    const td = await newTestdrive({ limitSeconds: 2 });
    const { run } = await startAndWaitRunning(td.id);
    expect(await run).toMatchObject({ status: 'stopped', endReason: 'time-limit' });
    expect(qemusOf(td.id)).toEqual([]);
    expect((await readAll(td.id)).at(-1)).toMatchObject({ end: 'time-limit' });
  }, 120_000);

  it('no viewer beat for the viewer timeout ends the VM; beats keep it alive', async () => {
    const td = await newTestdrive();
    const viewer = testdriveKeys(prefix, td.id).viewer;
    const { run } = await startAndWaitRunning(td.id, { viewerTimeoutMs: 1500 });
    const started = Date.now();
    // A page beating keeps the VM up past the timeout…
    while (Date.now() - started < 3000) {
      await redis.set(viewer, '1', 'PX', 1500);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(qemusOf(td.id)).toHaveLength(1);
    // …and once it stops beating, the VM goes.
    expect(await run).toMatchObject({ status: 'stopped', endReason: 'no-viewer' });
    expect(qemusOf(td.id)).toEqual([]);
  }, 120_000);

  it('a worker shutdown (abort) ends the VM with worker-shutdown', async () => {
    const td = await newTestdrive();
    const shutdown = new AbortController();
    const { run } = await startAndWaitRunning(td.id, {}, shutdown.signal);
    shutdown.abort();
    expect(await run).toMatchObject({ status: 'stopped', endReason: 'worker-shutdown' });
    expect(qemusOf(td.id)).toEqual([]);
    expect(await t.db.testdrive.findUniqueOrThrow({ where: { id: td.id } })).toMatchObject({ status: 'stopped', endReason: 'worker-shutdown' });
  }, 120_000);

  it('a testdrive stopped before a worker took it never starts QEMU', async () => {
    const td = await newTestdrive();
    await testdriveState.stop(t.db, td.id);
    expect(await runTestdrive(deps, td.id, 'w1#x', new AbortController().signal)).toEqual({ status: 'skipped' });
    expect(qemusOf(td.id)).toEqual([]);
  });

  it('a format the build does not have fails with the reason', async () => {
    const td = await testdriveState.create(t.db, { buildId, format: 'qcow2-bios', memoryMb: 128, cpus: 1, limitSeconds: 60 });
    expect(await runTestdrive(deps, td.id, 'w1#y', new AbortController().signal)).toMatchObject({ status: 'failed', error: 'The build has no qcow2-bios artifact to boot.' });
    expect(await t.db.testdrive.findUniqueOrThrow({ where: { id: td.id } })).toMatchObject({ status: 'failed', endReason: 'error' });
  });
});
