// Keystroke → echo latency of a testdrive, as a page sees it: a key goes into the input stream
// (what POST …/input does), the worker writes it to QEMU's serial port, the guest's shell echoes
// it, and the echo comes back on the output stream (what the console SSE reads). Boots the
// catalog's `minimal` composition (kernel+initrd, built with the engine from the cached starter
// images) in this process with runTestdrive, a private redis-server and SQLite. Prints figures;
// the baseline is a bare Redis stream round trip in the same process.
//   npm run bench:testdrive [-- --keys 60]

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { buildStarterCatalog, loadDefaultCompositions } from '@oscompose/catalog';
import { testdriveState } from '@oscompose/db';
import { createProducerConnection, readTestdriveOutput, sendTestdriveInput, testdriveKeys } from '@oscompose/queue';
import { createTestDb, startRedis } from '@oscompose/queue/testing';
import { artifactKey, LocalArtifactStore } from '@oscompose/storage';
import type { Redis } from 'ioredis';
import { runTestdrive } from '../src/testdrive/runTestdrive';

const keys = Number(process.argv[process.argv.indexOf('--keys') + 1]) || 60;
const REPO = path.resolve(import.meta.dirname, '../../..');
const cacheRoot = process.env.OSCOMPOSE_CACHE ?? path.join(homedir(), '.cache', 'oscompose');
const imageStore = process.env.OSCOMPOSE_TEST_IMAGE_STORE ?? path.join(cacheRoot, 'test-image-store');

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { n: s.length, min: s[0]!, median: q(0.5), p95: q(0.95), max: s.at(-1)! };
};
const fmt = (o: ReturnType<typeof stats>) => `n=${o.n} min=${o.min.toFixed(2)} median=${o.median.toFixed(2)} p95=${o.p95.toFixed(2)} max=${o.max.toFixed(2)} ms`;

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'oscompose-bench-testdrive-'));
  const redisServer = await startRedis();
  const conns: Redis[] = [];
  const conn = () => {
    const c = createProducerConnection(redisServer.url, { maxRetriesPerRequest: null });
    c.on('error', () => {});
    conns.push(c);
    return c;
  };
  const redis = conn();
  const reader = conn();
  const t = await createTestDb(dir);
  const prefix = 'bench';
  const stop = new AbortController();
  let run: Promise<unknown> | undefined;
  try {
    await buildStarterCatalog({ imageStore, cacheDir: process.env.OSCOMPOSE_DEBIAN_CACHE ?? path.join(cacheRoot, 'debian') });
    const out = path.join(dir, 'out');
    const minimal = (await loadDefaultCompositions({ registryHost: 'localhost:5000' })).find((c) => c.name === 'minimal')!;
    await writeFile(path.join(dir, 'minimal.yml'), minimal.yaml);
    execFileSync(process.execPath, [path.join(REPO, 'packages/engine/bin/oscompose.mjs'), 'build', '-q', '-f', 'kernel+initrd', '--image-store', imageStore, '--cache', path.join(dir, 'cache'), '--dir', out, '--name', 'minimal', path.join(dir, 'minimal.yml')], { cwd: REPO, stdio: 'inherit' });
    const store = new LocalArtifactStore(path.join(dir, 'artifacts'));
    const build = await t.db.build.create({ data: { teamId: t.teamId, specText: 's', specHash: 'h', status: 'succeeded', formats: '["kernel+initrd"]' } });
    for (const name of ['minimal-kernel', 'minimal-initrd.img', 'minimal-cmdline']) {
      const key = artifactKey(build.id, name);
      const s = await store.put(key, path.join(out, name));
      await t.db.artifact.create({ data: { buildId: build.id, format: 'kernel+initrd', name, size: BigInt(s.size), sha256: s.sha256 ?? '', storageKey: key } });
    }
    const td = await testdriveState.create(t.db, { buildId: build.id, format: 'kernel+initrd', memoryMb: 1024, cpus: 1, limitSeconds: 3600 });
    const bootStart = Date.now();
    run = runTestdrive({ db: t.db, store, redis, blockingConnection: conn, redisPrefix: prefix, workRoot: path.join(dir, 'work'), maxMemoryMb: 1024, maxCpus: 1, viewerTimeoutMs: 3_600_000 }, td.id, 'bench#1', stop.signal);

    let text = '';
    let last = '0';
    const readMore = async (blockMs: number) => {
      for (const e of await readTestdriveOutput(reader, prefix, td.id, last, blockMs)) {
        last = e.id;
        if ('data' in e) text += e.data;
        else throw new Error(`the testdrive ended: ${e.end}`);
      }
    };
    while (!text.includes('oscompose: boot complete')) await readMore(1000);
    const bootMs = Date.now() - bootStart;
    // A shell prompt that answers: type until it does.
    for (let mark = text.length; !text.slice(mark).includes('bench-ready-7'); ) {
      await sendTestdriveInput(redis, prefix, td.id, { data: 'echo bench-ready-$((3+4))\r' });
      const until = Date.now() + 3000;
      while (Date.now() < until && !text.slice(mark).includes('bench-ready-7')) await readMore(200);
    }
    const shellMs = Date.now() - bootStart;

    // Keystroke → echo: one letter at a time, each timed until it shows on the output stream.
    const echo: number[] = [];
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < keys; i++) {
      if (i % 20 === 0) {
        await sendTestdriveInput(redis, prefix, td.id, { data: '\u0015' }); // Ctrl-U: an empty line again
        await readMore(300);
      }
      const ch = letters[i % letters.length]!;
      const mark = text.length;
      const t0 = performance.now();
      await sendTestdriveInput(redis, prefix, td.id, { data: ch });
      while (!text.slice(mark).includes(ch)) await readMore(5000);
      echo.push(performance.now() - t0);
    }

    // Baseline: the same two stream hops without the worker and the guest.
    const base: number[] = [];
    const k = testdriveKeys(prefix, 'baseline').output;
    let bl = '0';
    for (let i = 0; i < keys; i++) {
      const t0 = performance.now();
      await redis.xadd(k, '*', 'd', 'x');
      const got = (await reader.xread('BLOCK', 5000, 'STREAMS', k, bl)) as Array<[string, Array<[string, string[]]>]>;
      bl = got[0]![1].at(-1)![0];
      base.push(performance.now() - t0);
    }
    const e = stats(echo);
    const b = stats(base);
    console.log(`boot to "boot complete": ${bootMs} ms; to a shell that answers: ${shellMs} ms (TCG)`);
    console.log(`keystroke → echo through Redis, worker, QEMU and the guest shell: ${fmt(e)}`);
    console.log(`baseline (Redis stream write → read, same process): ${fmt(b)}`);
    console.log(`ratio (median echo / median baseline): ${(e.median / b.median).toFixed(1)}`);
  } finally {
    stop.abort();
    await run?.catch(() => {});
    for (const c of conns) c.disconnect();
    await t.db.$disconnect();
    await redisServer.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
