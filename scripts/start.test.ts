// `npm start` end to end: a temp data dir, a free port and a free Redis port (so the script
// starts its own redis-server), /api/health answering 200 with a worker and the summary printed;
// then the worker SIGKILLed in the middle of a build (the web app keeps answering, a new worker
// is up within 15 s, the build finishes), killed until it "keeps crashing" (/api/health and the
// banner in Chromium, signed in, say so); its redis-server SIGKILLed (restarted, healthy again);
// then Ctrl-C (SIGINT to the foreground process group) and no
// process left behind. Real processes throughout: next, the worker, redis-server, docker-registry.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@oscompose/queue/testing';
import { writeTestImages, specText } from '@oscompose/worker/testing';
import { launchBrowser } from '@oscompose/web/testing';

const ROOT = path.resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'oscompose-start-'));
const marker = randomUUID();

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Live (non-zombie) pid → its parent pid, from /proc. */
function processTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      table.set(Number(name), Number(fields[1]));
    } catch {
      // exited while we looked
    }
  }
  return table;
}

function descendants(root: number): number[] {
  const table = processTable();
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of table) {
      if (ppid === parent) {
        out.push(pid);
        queue.push(pid);
      }
    }
  }
  return out;
}

/** Processes whose environment carries this test's marker (what the stop must leave: none). */
function markedProcesses(): number[] {
  return [...processTable().keys()].filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`OSCOMPOSE_TEST_MARKER=${marker}`);
    } catch {
      return false;
    }
  });
}

const alive = (pid: number) => processTable().has(pid);

let port: number;
let redisPort: number;
let start: ChildProcess | undefined;
let output = '';
let seen: number[] = [];
/** The API token and a spec that builds fast, from the build test. */
let auth: Record<string, string> = {};
let quickSpec = '';

// 127.0.0.1 rather than localhost: the summary must print this, and the requests below use it.
const publicUrl = () => `http://127.0.0.1:${port}/`;
const env = () => ({
  ...process.env,
  PORT: String(port),
  OSCOMPOSE_DATA_DIR: dataDir,
  OSCOMPOSE_LOCAL_REDIS_PORT: String(redisPort),
  OSCOMPOSE_SEED: 'skip',
  OSCOMPOSE_TEST_MARKER: marker,
  REDIS_URL: '',
  DATABASE_URL: '',
  OSCOMPOSE_PUBLIC_URL: publicUrl(),
  NO_COLOR: '1',
  // A dead worker's build is taken over quickly (the defaults are 30 s and 15 s), not boot-checked.
  WORKER_LOCK_SECONDS: '4',
  WORKER_STALLED_CHECK_SECONDS: '2',
  WORKER_BOOT_CHECK: 'false',
});
// The build was made by --prepare; other engineers' edits in a shared tree must not trigger a
// second, unserialised `next build` while the test runs.
const runEnv = () => ({ ...env(), OSCOMPOSE_SKIP_BUILD: '1' });

beforeAll(async () => {
  if (!existsSync('/usr/bin/redis-server') && spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) {
    throw new Error('redis-server is not installed: apt-get install redis-server (the start script starts it itself)');
  }
  port = await freePort();
  redisPort = await freePort();
  // Install/generate/build once up front, the build serialised with other users of this work
  // tree. Not under the npm lock: start.mjs takes that itself for an install (holding it here
  // would make that install wait for ever).
  const hasFlock = spawnSync('sh', ['-c', 'command -v flock']).status === 0;
  const prepare = hasFlock
    ? spawnSync('flock', ['/tmp/oscompose-web-build.lock', process.execPath, 'scripts/start.mjs', '--prepare'], { cwd: ROOT, env: env(), encoding: 'utf8' })
    : spawnSync(process.execPath, ['scripts/start.mjs', '--prepare'], { cwd: ROOT, env: env(), encoding: 'utf8' });
  if (prepare.status !== 0) throw new Error(`start.mjs --prepare failed:\n${prepare.stdout}\n${prepare.stderr}`);
}, 900_000); // a cold `next build` on a busy 2-core machine, plus waiting for the build lock

afterAll(async () => {
  // Only if the test failed half-way: first the normal stop (start.mjs stops its children,
  // including redis-server, whose environment we cannot see), then what is left, by pid.
  if (start && start.exitCode === null && start.signalCode === null) {
    const tree = descendants(start.pid!);
    try {
      process.kill(-start.pid!, 'SIGINT');
    } catch {}
    await Promise.race([new Promise((r) => start!.once('exit', r)), new Promise((r) => setTimeout(r, 20_000))]);
    seen.push(...tree);
  }
  for (const pid of [...seen, ...markedProcesses()]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  rmSync(dataDir, { recursive: true, force: true });
});

type Health = { status: string; workers: { pid: number; formats?: string[] }[]; warnings: string[]; problems: string[] };
const base = () => `http://127.0.0.1:${port}`;
async function health(): Promise<{ status: number; body: Health }> {
  const res = await fetch(`${base()}/api/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Health };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The worker's pid as npm start's supervisor has it (the real worker process: node --import tsx). */
const supervisedPid = (name: string): number | null => {
  try {
    const doc = JSON.parse(readFileSync(path.join(dataDir, 'supervisor.json'), 'utf8'));
    return doc.children?.[name]?.running ? doc.children[name].pid : null;
  } catch {
    return null;
  }
};
async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s; output:\n${output.slice(-6000)}`);
    await sleep(250);
  }
}

describe('npm start', () => {
  it('serves /api/health with database, Redis and a worker up, and prints the summary', async () => {
    start = spawn('npm', ['start'], { cwd: ROOT, env: runEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    start.stdout!.on('data', (d) => (output += d));
    start.stderr!.on('data', (d) => (output += d));

    // Wait until healthy (or until the script gives up and exits).
    let h: { status: number; body: Health } | undefined;
    for (let i = 0; i < 600 && start.exitCode === null; i++) {
      try {
        h = await health();
        if (h.status === 200) break;
      } catch {
        // not listening yet
      }
      await sleep(500);
    }
    expect(h?.status, `no healthy answer; output:\n${output}`).toBe(200);
    expect(h!.body).toMatchObject({ status: 'ok', database: 'up', redis: 'up', warnings: [] });
    expect(h!.body.workers.length).toBeGreaterThanOrEqual(1);
    await until('the summary', () => output.includes('  workers'), 10_000);
    // The public URL it was given, not http://localhost.
    expect(output).toContain(`oscompose is up: http://127.0.0.1:${port}   `);
    expect(output).toContain(`starting redis-server on 127.0.0.1:${redisPort}`);
    expect(await answers(redisPort)).toBe(true);
    // The summary: where data lives, the formats the worker offers, how to add a worker.
    const dataLine = output.split('\n').find((l) => /^ +data /.test(l));
    expect(dataLine).toContain(`${dataDir}/  (SQLite ${dataDir}/oscompose.db`);
    expect(output).toMatch(/^ +formats +.*\btar\b/m);
    for (const f of h!.body.workers[0]!.formats ?? []) expect(output).toContain(f);
    expect(output).toContain('npm run worker');
  }, 360_000);

  it('restarts a worker killed with SIGKILL mid-build: the web app keeps answering, a new worker within 15 s, the build finishes', async () => {
    const refs = await writeTestImages(path.join(dataDir, 'images'), { blobBytes: 96 * 1024 * 1024 });
    const admin = spawnSync(process.execPath, ['scripts/admin.mjs', 'bootstrap', '--email', 'start-test@example.com', '--team', 'start-test'], {
      cwd: ROOT,
      env: { ...env(), DATABASE_URL: `file:${path.join(dataDir, 'oscompose.db')}`, OSCOMPOSE_ADMIN_PASSWORD: 'start-test-password-1' },
      encoding: 'utf8',
    });
    expect(admin.status, admin.stderr).toBe(0);
    const token = admin.stdout.trim().split('\n').at(-1)!;
    auth = { authorization: `Bearer ${token}` };
    quickSpec = specText(refs);
    const spec = specText(refs, { onboot: [{ name: 'slow', image: refs.slow }] });
    const submit = await fetch(`${base()}/api/v1/builds`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ spec, formats: ['tar'], name: 'killed' }),
    });
    expect(submit.status, await submit.clone().text()).toBe(202);
    const { id } = (await submit.json()) as { id: string };
    const build = async () => (await (await fetch(`${base()}/api/v1/builds/${id}`, { headers: auth })).json()) as { status: string; attempts: number; artifacts: { name: string }[]; error?: string };

    await until('the build to run', async () => (await build()).status === 'running', 60_000);
    const victim = supervisedPid('worker');
    expect(victim).toBeTruthy();
    process.kill(victim!, 'SIGKILL');
    const killedAt = Date.now();

    // Every health request in the gap is answered by the web app; a new worker shows up.
    let answered = 0;
    const newWorker = await until(
      'a new worker',
      async () => {
        const h = await health();
        answered++;
        return h.body.workers.find((w) => w.pid !== victim);
      },
      15_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(answered).toBeGreaterThan(0);
    expect(newWorker.pid).toBe(supervisedPid('worker'));
    expect(output).toContain('oscompose: worker exited (SIGKILL); restarting it in');

    const done = await until('the build to finish', async () => {
      const b = await build();
      return ['succeeded', 'failed', 'canceled'].includes(b.status) && b;
    }, 180_000);
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'succeeded' });
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    expect(done.artifacts.map((a) => a.name)).toContain('killed.tar');
    expect((await fetch(base())).status).toBeLessThan(500);
  }, 420_000);

  it('a worker that keeps crashing is named in /api/health and in a banner in the UI', async () => {
    // Two more kills within the crash window make three.
    for (let i = 0; i < 2; i++) {
      const before = await until('the worker to be running', () => supervisedPid('worker'), 60_000);
      process.kill(before, 'SIGKILL');
      await until('the supervisor to notice', () => supervisedPid('worker') !== before, 10_000);
    }
    const h = await until('a warning', async () => {
      const r = await health();
      return r.body.warnings.length > 0 && r;
    }, 10_000);
    expect(h.body.warnings.join('\n')).toMatch(/The worker keeps crashing: it exited 3 times in the last 5 minutes \(last: SIGKILL/);
    expect(output).toContain('it keeps crashing (3 times in 5 minutes)');

    // Where a user works, signed in (the account the build test made), not only on the sign-in page.
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${base()}/builds`);
      await page.waitForURL(/\/sign-in/);
      await page.getByLabel('E-mail').fill('start-test@example.com');
      await page.getByLabel('Password').fill('start-test-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base()}/builds`);
      await page.getByRole('heading', { name: 'Builds' }).waitFor();
      const banner = page.getByTestId('health-banner');
      await banner.waitFor({ timeout: 30_000 });
      expect(await banner.innerText()).toContain('The worker keeps crashing');
      if (process.env.OSCOMPOSE_SCREENSHOTS) await page.screenshot({ path: path.join(process.env.OSCOMPOSE_SCREENSHOTS, 'health-banner.png') });
    } finally {
      await browser.close();
    }
    // And it comes back: the web app never stopped serving.
    await until('the worker back', async () => (await health()).status === 200, 60_000);
  }, 240_000);

  it('restarts its own redis-server killed with SIGKILL: same port and data, the web app and worker carry on', async () => {
    const victim = await until('redis running', () => supervisedPid('redis'), 10_000);
    process.kill(victim, 'SIGKILL');
    await until('a new redis-server', () => {
      const pid = supervisedPid('redis');
      return pid !== null && pid !== victim && pid;
    }, 15_000);
    expect(output).toContain('oscompose: redis exited (SIGKILL); restarting it in');
    // Healthy again: Redis up and a worker heartbeat on it; the build history (in the database)
    // and the queue (in Redis's append-only file) are still there.
    const h = await until('healthy again', async () => {
      const r = await health();
      return r.status === 200 && r.body.workers.length > 0 && r;
    }, 60_000);
    expect(h.body).toMatchObject({ redis: 'up', database: 'up' });
    expect(await answers(redisPort)).toBe(true);
    // Not just old heartbeats read back from the append-only file: a new build is queued on the
    // restarted Redis and a worker builds it.
    const submit = await fetch(`${base()}/api/v1/builds`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ spec: quickSpec, formats: ['tar'], name: 'after-redis' }),
    });
    expect(submit.status, await submit.clone().text()).toBe(202);
    const { id } = (await submit.json()) as { id: string };
    const done = await until('the build after the Redis restart', async () => {
      const b = (await (await fetch(`${base()}/api/v1/builds/${id}`, { headers: auth })).json()) as { status: string; error?: string };
      return ['succeeded', 'failed', 'canceled'].includes(b.status) && b;
    }, 120_000);
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'succeeded' });
  }, 120_000);

  it('Ctrl-C leaves no process behind', async () => {
    expect(start && start.exitCode === null, `npm start is not running; output:\n${output}`).toBe(true);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      start!.once('exit', (code, signal) => resolve({ code, signal })),
    );
    seen = descendants(start!.pid!);
    expect(seen.length).toBeGreaterThanOrEqual(4); // start.mjs, next-server, worker, redis-server at least

    process.kill(-start!.pid!, 'SIGINT'); // what Ctrl-C in a terminal does
    const result = await exited;
    // npm re-raises SIGINT on itself after its script ends (a shell shows exit 130); start.mjs exits 0.
    expect([0, 'SIGINT'], output).toContain(result.code ?? result.signal);
    expect(output).toContain('oscompose: stopped.');

    const survivors = seen.filter(alive);
    expect(survivors, `still running after Ctrl-C: ${survivors.join(', ')}`).toEqual([]);
    expect(markedProcesses()).toEqual([]);
    expect(await answers(port)).toBe(false);
    expect(await answers(redisPort)).toBe(false);
    expect(existsSync(path.join(dataDir, 'supervisor.json'))).toBe(false);
  }, 60_000);
});
