// npm run chaos — the pipeline under load and faults: 200 builds in a burst to two worker
// processes, a worker SIGKILLed mid-build several times, Redis restarted once (a private
// redis-server with an fsync-always AOF, never the shared one). Reports how many builds
// finished, failed, ran twice or were lost; exits 1 unless every build reached a final state
// with nothing lost and nothing published twice.
//
//   npm run chaos -- [--builds 200] [--kills 4] [--blob-mb 4] [--timeout-s 900]

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setCallerResolver, setBuildDeps, startApiServer } from '@oscompose/web/testing';
import { specText, startPipeline, startWorker, workerReady, writeTestImages, type WorkerProcess } from '@oscompose/worker/testing';

const { values: o } = parseArgs({
  options: {
    builds: { type: 'string', default: '200' },
    kills: { type: 'string', default: '4' },
    'blob-mb': { type: 'string', default: '4' },
    'timeout-s': { type: 'string', default: '900' },
  },
});
const N = Number(o.builds);
const KILLS = Number(o.kills);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (...a: unknown[]) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}]`, ...a);

const p = await startPipeline({ persistentRedis: true, lockSeconds: 3, workerEnv: { WORKER_STALLED_CHECK_SECONDS: '2', WORKER_MAX_STALLED: '20' } });
let exitCode = 1;
const workers = new Map<string, WorkerProcess>();
const api = await startApiServer();
try {
  const refs = await writeTestImages(p.imageStore, { blobBytes: Number(o['blob-mb']) * 1024 * 1024 });
  setBuildDeps(await p.webDeps());
  setCallerResolver(async () => ({ userId: p.testDb.userId, teamId: p.testDb.teamId, role: 'owner', via: 'local' }));
  for (const id of ['w1', 'w2']) {
    const w = startWorker(id, p.workerEnv);
    workers.set(id, w);
    await workerReady(w);
  }
  log(`redis ${p.redis.url} (private, AOF), 2 workers, api ${api.url}, data ${p.dir}`);

  // The burst: every 10th spec repeats an earlier one (a cache hit once that one succeeded).
  const t0 = Date.now();
  const ids = await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const n = i % 10 === 9 ? i - 1 : i;
      const spec = specText(refs, { onboot: [{ name: 'slow', image: refs.slow }], files: [{ path: 'etc/build', contents: `chaos ${n}\n` }] });
      const res = await fetch(`${api.url}/api/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spec, formats: ['tar'], name: `c${n}` }) });
      if (res.status !== 202) throw new Error(`submit ${i}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    }),
  );
  log(`submitted ${ids.length} builds in ${Date.now() - t0} ms`);

  const counts = async () => {
    const rows = await p.testDb.db.build.groupBy({ by: ['status'], _count: true, where: { id: { in: ids } } });
    return Object.fromEntries(rows.map((r) => [r.status, r._count])) as Record<string, number>;
  };
  const finalCount = async () => {
    const c = await counts();
    return (c.succeeded ?? 0) + (c.failed ?? 0) + (c.canceled ?? 0);
  };

  // Faults: SIGKILL a busy worker mid-build (then start it again), KILLS times; restart Redis once halfway.
  let kills = 0;
  let redisRestarted = false;
  while (kills < KILLS) {
    await sleep(4000);
    if ((await finalCount()) >= N) break;
    const running = await p.testDb.db.build.findMany({ where: { id: { in: ids }, status: 'running' }, select: { id: true, workerId: true } });
    const victim = running.map((r) => r.workerId?.split('#')[0]).find((w): w is string => Boolean(w && workers.has(w)));
    if (!victim) continue;
    await workers.get(victim)!.kill('SIGKILL');
    kills++;
    log(`SIGKILL ${victim} (mid-build of ${running.find((r) => r.workerId?.startsWith(victim + '#'))?.id}); ${JSON.stringify(await counts())}`);
    if (!redisRestarted && kills === Math.ceil(KILLS / 2)) {
      await p.redis.restart();
      redisRestarted = true;
      log('redis-server killed and restarted (AOF kept the queue)');
    }
    await sleep(500);
    const w = startWorker(victim, p.workerEnv);
    workers.set(victim, w);
    await workerReady(w);
  }
  if (!redisRestarted) {
    await p.redis.restart();
    log('redis-server killed and restarted (AOF kept the queue)');
  }

  const until = Date.now() + Number(o['timeout-s']) * 1000;
  let last = '';
  while ((await finalCount()) < N && Date.now() < until) {
    const c = JSON.stringify(await counts());
    if (c !== last) log(c);
    last = c;
    await sleep(2000);
  }
  const elapsed = Date.now() - t0;

  // The report.
  const builds = await p.testDb.db.build.findMany({ where: { id: { in: ids } }, include: { artifacts: true } });
  const events = await p.testDb.db.buildEvent.findMany({ where: { buildId: { in: ids }, type: 'status' } });
  const finals = new Map<string, number>();
  for (const e of events) {
    const s = JSON.parse(e.payload).status;
    if (s === 'succeeded' || s === 'failed') finals.set(e.buildId, (finals.get(e.buildId) ?? 0) + 1);
  }
  const lost = builds.filter((b) => b.status === 'queued' || b.status === 'running');
  const ranTwice = builds.filter((b) => (finals.get(b.id) ?? 0) > 1);
  const duplicated = builds.filter((b) => b.status === 'succeeded' && b.artifacts.filter((a) => a.format !== 'provenance').length !== 1);
  let badBytes = 0;
  for (const b of builds.filter((x) => x.status === 'succeeded')) {
    for (const a of b.artifacts) {
      const bytes = await readFile(path.join(p.dataDir, 'artifacts', a.storageKey)).catch(() => Buffer.alloc(0));
      if (createHash('sha256').update(bytes).digest('hex') !== a.sha256) badBytes++;
    }
  }
  const c = await counts();
  const report = {
    builds: N,
    succeeded: c.succeeded ?? 0,
    failed: c.failed ?? 0,
    canceled: c.canceled ?? 0,
    cached: builds.filter((b) => b.cachedFromId).length,
    lost: lost.length,
    ranTwice: ranTwice.length,
    duplicatedArtifacts: duplicated.length,
    artifactsNotMatchingSha256: badBytes,
    retriedAfterKill: builds.filter((b) => b.attempts > 1).length,
    workerKills: kills,
    redisRestarts: 1,
    seconds: Math.round(elapsed / 1000),
  };
  console.log('\nchaos report\n' + Object.entries(report).map(([k, v]) => `  ${k.padEnd(26)} ${v}`).join('\n'));
  for (const b of builds.filter((x) => x.status === 'failed').slice(0, 5)) console.log(`  failed ${b.id}: ${b.error}`);
  for (const b of lost.slice(0, 5)) console.log(`  lost ${b.id}: ${b.status} worker=${b.workerId}`);
  exitCode = lost.length === 0 && ranTwice.length === 0 && duplicated.length === 0 && badBytes === 0 ? 0 : 1;
} catch (err) {
  console.error(err);
  for (const w of workers.values()) console.error(`--- ${w.id}\n${w.output().slice(-3000)}`);
} finally {
  for (const w of workers.values()) await w.kill('SIGKILL');
  await api.close();
  await p.cleanup();
}
process.exit(exitCode);
