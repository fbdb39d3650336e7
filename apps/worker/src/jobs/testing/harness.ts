// Real services for pipeline tests and the chaos script: a private redis-server on a free port,
// a migrated and seeded SQLite database, an image store with small images, worker processes
// (the real apps/worker main), and the web side's build services pointed at all of them.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installationId, installationRedisPrefix, type PrismaClient } from '@oscompose/db';
import { tarBuffer, writeImage, type FsEntry } from '@oscompose/engine';
import { createBuildQueue, createProducerConnection } from '@oscompose/queue';
import { createTestDb, Fatal, startRedis, waitFor, type RedisServer, type TestDb } from '@oscompose/queue/testing';
import { LocalArtifactStore } from '@oscompose/storage';
import type { Redis } from 'ioredis';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');


const dir = (p: string): FsEntry => ({ path: p, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 });
const file = (p: string, content: string | Buffer, mode = 0o644): FsEntry => {
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { path: p, type: 'file', mode, uid: 0, gid: 0, size: buf.length, content: buf };
};

/**
 * Small images in an OCI image layout: a fake kernel, an init, and a "blob" onboot image whose
 * size sets how long a build takes (random bytes do not compress: the engine works for them).
 */
export async function writeTestImages(store: string, opts: { blobBytes?: number } = {}): Promise<{ kernel: string; init: string; hello: string; slow: string }> {
  const refs = { kernel: 'example.test/pipeline/kernel:1', init: 'example.test/pipeline/init:1', hello: 'example.test/pipeline/hello:1', slow: 'example.test/pipeline/slow:1' };
  const modules = await tarBuffer([dir('lib'), dir('lib/modules'), dir('lib/modules/6.1.0'), file('lib/modules/6.1.0/modules.dep', '\n')], { mtime: 0 });
  await writeImage(store, { ref: refs.kernel, layers: [await tarBuffer([file('kernel', Buffer.alloc(8192, 7)), file('kernel.tar', modules)], { mtime: 0 })] });
  await writeImage(store, { ref: refs.init, layers: [await tarBuffer([dir('bin'), file('bin/busybox', 'busybox', 0o755), file('init', '#!/bin/sh\n', 0o755)], { mtime: 0 })] });
  await writeImage(store, {
    ref: refs.hello,
    config: { Cmd: ['/bin/echo', 'hello'] },
    layers: [await tarBuffer([dir('bin'), file('bin/echo', 'echo', 0o755)], { mtime: 0 })],
  });
  await writeImage(store, {
    ref: refs.slow,
    config: { Cmd: ['/bin/true'] },
    layers: [await tarBuffer([dir('data'), file('data/blob', randomBytes(opts.blobBytes ?? 48 * 1024 * 1024))], { mtime: 0 })],
  });
  return refs;
}

export function specText(refs: { kernel: string; init: string }, extra: { onboot?: { name: string; image: string }[]; files?: { path: string; contents: string }[] } = {}): string {
  const lines = ['kernel:', `  image: ${refs.kernel}`, '  cmdline: console=ttyS0', 'init:', `  - ${refs.init}`];
  if (extra.onboot?.length) {
    lines.push('onboot:');
    for (const o of extra.onboot) lines.push(`  - name: ${o.name}`, `    image: ${o.image}`);
  }
  if (extra.files?.length) {
    lines.push('files:');
    for (const f of extra.files) lines.push(`  - path: ${f.path}`, `    contents: ${JSON.stringify(f.contents)}`);
  }
  return lines.join('\n') + '\n';
}

export interface WorkerProcess {
  id: string;
  proc: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts the real worker as production runs it: bin/worker.mjs, the compiled bundle (rebuilt when stale). */
export function startWorker(id: string, env: Record<string, string>): WorkerProcess {
  // The worker runs in the process we spawn (no child of its own), so a SIGKILL here kills it.
  const proc = spawn(process.execPath, [path.join(REPO, 'apps/worker/bin/worker.mjs')], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: 'info', WORKER_ID: id, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c) => (out = (out + c).slice(-200_000)));
  proc.stderr!.on('data', (c) => (out = (out + c).slice(-200_000)));
  return {
    id,
    proc,
    output: () => out,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      await exited;
    },
  };
}

/** Waits until a worker logged that its build jobs are ready. */
export async function workerReady(w: WorkerProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor(async () => {
    if (w.proc.exitCode !== null) throw new Fatal(`worker ${w.id} exited (${w.proc.exitCode}):\n${w.output().slice(-3000)}`);
    return w.output().includes('build jobs: ready');
  }, () => `worker ${w.id} to start:\n${w.output().slice(-2000)}`, timeoutMs);
}

export interface Pipeline {
  dir: string;
  redis: RedisServer;
  testDb: TestDb;
  imageStore: string;
  dataDir: string;
  workerEnv: Record<string, string>;
  /** The installation's Redis prefix (OSCOMPOSE_REDIS_PREFIX of its worker). */
  prefix: string;
  /** The web side's dependencies (pass to setBuildDeps). */
  webDeps(): Promise<{ db: PrismaClient; installationId: string; redisPrefix: string; queue: ReturnType<typeof createBuildQueue>; redis: Redis; subscriber: () => Redis; store: LocalArtifactStore; keyDir: string }>;
  cleanup(): Promise<void>;
}

/**
 * `redis`: a Redis shared with other pipelines (not stopped by cleanup); `ownPrefix`: leave
 * OSCOMPOSE_REDIS_PREFIX unset, so the installation derives its prefix from its database.
 */
export async function startPipeline(
  opts: { lockSeconds?: number; workerEnv?: Record<string, string>; persistentRedis?: boolean; redis?: RedisServer; ownPrefix?: boolean } = {},
): Promise<Pipeline> {
  const dir = await mkdtemp(path.join(tmpdir(), 'oscompose-pipeline-'));
  if (opts.persistentRedis) await mkdir(path.join(dir, 'redis'), { recursive: true });
  const redis = opts.redis ?? (await startRedis(undefined, opts.persistentRedis ? { dataDir: path.join(dir, 'redis') } : {}));
  const testDb = await createTestDb(dir);
  const imageStore = path.join(dir, 'images');
  const dataDir = path.join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const prefix = opts.ownPrefix ? await installationRedisPrefix(testDb.db) : `t${randomBytes(3).toString('hex')}`;
  const workerEnv: Record<string, string> = {
    DATABASE_URL: testDb.url,
    REDIS_URL: redis.url,
    ...(opts.ownPrefix ? {} : { OSCOMPOSE_REDIS_PREFIX: prefix }),
    OSCOMPOSE_DATA_DIR: dataDir,
    OSCOMPOSE_IMAGE_STORE: imageStore,
    OSCOMPOSE_CACHE: path.join(dir, 'cache'),
    OSCOMPOSE_ARTIFACT_STORE: 'local',
    WORKER_LOCK_SECONDS: String(opts.lockSeconds ?? 4),
    WORKER_STALLED_CHECK_SECONDS: '2',
    WORKER_MAX_STALLED: '10',
    WORKER_BOOT_CHECK: 'false',
    WORKER_SHUTDOWN_GRACE_SECONDS: '10',
    ...opts.workerEnv,
  };
  const conns: Redis[] = [];
  const conn = (extra = {}) => {
    const c = createProducerConnection(redis.url, extra);
    c.on('error', () => {});
    conns.push(c);
    return c;
  };
  return {
    dir,
    redis,
    testDb,
    imageStore,
    dataDir,
    workerEnv,
    prefix,
    async webDeps() {
      return {
        db: testDb.db,
        installationId: await installationId(testDb.db),
        redisPrefix: prefix,
        queue: createBuildQueue(conn(), { prefix }),
        redis: conn(),
        subscriber: () => conn({ maxRetriesPerRequest: null }),
        store: new LocalArtifactStore(path.join(dataDir, 'artifacts')),
        // The workers' signing keys (OSCOMPOSE_DATA_DIR/keys): GET /api/v1/keys lists them.
        keyDir: path.join(dataDir, 'keys'),
      };
    },
    async cleanup() {
      for (const c of conns) c.disconnect();
      if (testDb.schema) await testDb.db.$executeRawUnsafe(`DROP SCHEMA IF EXISTS "${testDb.schema}" CASCADE`).catch(() => {});
      await testDb.db.$disconnect().catch(() => {});
      if (!opts.redis) await redis.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}


/**
 * The starter catalog's images (kernel, our init, runc, services) in an OCI image layout kept
 * between runs (OSCOMPOSE_TEST_IMAGE_STORE, else ~/.cache/oscompose/test-image-store;
 * buildStarterCatalog skips unchanged recipes); returns its path, for OSCOMPOSE_IMAGE_STORE.
 */
export async function starterImageStore(): Promise<string> {
  const { starterCatalogForTests } = await import('@oscompose/catalog/testing');
  return (await starterCatalogForTests()).imageStore;
}

/**
 * A bootable kernel + init from real pieces: Debian's cloud kernel (the engine's test fixture,
 * fetched with apt-get download once), our init tree from packages/catalog/init, busybox-static.
 */
export async function writeBootableImages(store: string): Promise<{ kernel: string; init: string }> {
  const { readFileSync, readdirSync, lstatSync } = await import('node:fs');
  const { testKernel } = await import('@oscompose/engine/testing');
  let busybox: Buffer;
  try {
    busybox = readFileSync('/bin/busybox');
  } catch {
    throw new Error('/bin/busybox is missing: apt-get install busybox-static');
  }
  const k = testKernel();
  const refs = { kernel: 'example.test/pipeline/boot-kernel:1', init: 'example.test/pipeline/boot-init:1' };
  await writeImage(store, { ref: refs.kernel, layers: [await tarBuffer([file('kernel', readFileSync(k.vmlinuz))], { mtime: 0 })] });

  const initRoot = path.join(REPO, 'packages/catalog/init');
  const entries: FsEntry[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(initRoot, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path.join(initRoot, r));
      if (st.isDirectory()) {
        entries.push(dir(r));
        walk(r);
      } else if (st.isFile()) entries.push(file(r, readFileSync(path.join(initRoot, r)), st.mode & 0o111 ? 0o755 : 0o644));
    }
  };
  walk('');
  const link = (p: string, target: string): FsEntry => ({ path: p, type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkname: target });
  const have = new Set(entries.map((e) => e.path));
  for (const d of ['bin', 'sbin', 'etc', 'usr', 'usr/bin', 'usr/sbin', 'proc', 'sys', 'dev', 'run', 'var', 'mnt', 'root', 'tmp']) if (!have.has(d)) entries.push(dir(d));
  entries.push(
    file('bin/busybox', busybox, 0o755),
    link('bin/sh', 'busybox'),
    link('sbin/init', '../bin/busybox'),
    file('etc/oscompose/version', '0.1\n'),
    file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n'),
    file('etc/group', 'root:x:0:\ntty:x:5:\n'),
    file('etc/hostname', 'oscompose\n'),
  );
  await writeImage(store, { ref: refs.init, layers: [await tarBuffer(entries, { mtime: 0 })] });
  return refs;
}

export interface WebProcess {
  url: string;
  proc: ChildProcess;
  output: () => string;
  kill(): Promise<void>;
}

/** Starts testing/webProcess.ts: an installation's web side, configured by `env` alone. */
export async function startWebProcess(env: Record<string, string>, caller: { userId: string; teamId: string }): Promise<WebProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'apps/worker/src/jobs/testing/webProcess.ts')], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, OSCOMPOSE_TEST_USER: caller.userId, OSCOMPOSE_TEST_TEAM: caller.teamId },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c) => (out = (out + c).slice(-200_000)));
  proc.stderr!.on('data', (c) => (out = (out + c).slice(-200_000)));
  let url = '';
  await waitFor(async () => {
    if (proc.exitCode !== null) throw new Fatal(`web process exited (${proc.exitCode}):\n${out.slice(-3000)}`);
    url = /listening (http:\S+)/.exec(out)?.[1] ?? '';
    return Boolean(url);
  }, () => `the web process to listen:\n${out.slice(-2000)}`, 60_000);
  return {
    url,
    proc,
    output: () => out,
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
  };
}
