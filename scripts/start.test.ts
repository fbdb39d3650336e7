// `npm start` end to end: a temp data dir, a free port and a free Redis port (so the script
// starts its own redis-server), /api/health answering 200 with a worker, then Ctrl-C (SIGINT to
// the foreground process group) and no process left behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@oscompose/queue/testing';

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

const env = () => ({
  ...process.env,
  PORT: String(port),
  OSCOMPOSE_DATA_DIR: dataDir,
  OSCOMPOSE_LOCAL_REDIS_PORT: String(redisPort),
  OSCOMPOSE_SEED: 'skip',
  OSCOMPOSE_TEST_MARKER: marker,
  REDIS_URL: '',
  DATABASE_URL: '',
  NO_COLOR: '1',
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
  // Install/generate/build once up front, serialised with other users of this work tree.
  const hasFlock = spawnSync('sh', ['-c', 'command -v flock']).status === 0;
  const prepare = hasFlock
    ? spawnSync('flock', ['/tmp/oscompose-npm.lock', 'flock', '/tmp/oscompose-web-build.lock', process.execPath, 'scripts/start.mjs', '--prepare'], { cwd: ROOT, env: env(), encoding: 'utf8' })
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

describe('npm start', () => {
  it('serves /api/health with database, Redis and a worker up, and Ctrl-C leaves no process behind', async () => {
    start = spawn('npm', ['start'], { cwd: ROOT, env: runEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    start.stdout!.on('data', (d) => (output += d));
    start.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      start!.once('exit', (code, signal) => resolve({ code, signal })),
    );

    // Wait until healthy (or until the script gives up and exits).
    let health: { status: number; body: Record<string, unknown> } | undefined;
    for (let i = 0; i < 600 && start.exitCode === null; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`);
        health = { status: res.status, body: (await res.json()) as Record<string, unknown> };
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(health?.status, `no healthy answer; output:\n${output}`).toBe(200);
    expect(health!.body).toMatchObject({ status: 'ok', database: 'up', redis: 'up' });
    expect((health!.body.workers as unknown[]).length).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 100 && !output.includes('oscompose is up'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain(`oscompose is up: http://localhost:${port}`);
    expect(output).toContain(`starting redis-server on 127.0.0.1:${redisPort}`);
    expect(await answers(redisPort)).toBe(true);

    seen = descendants(start.pid!);
    expect(seen.length).toBeGreaterThanOrEqual(4); // start.mjs, next-server, worker, redis-server at least

    process.kill(-start.pid!, 'SIGINT'); // what Ctrl-C in a terminal does
    const result = await exited;
    // npm re-raises SIGINT on itself after its script ends (a shell shows exit 130); start.mjs exits 0.
    expect([0, 'SIGINT'], output).toContain(result.code ?? result.signal);
    expect(output).toContain('oscompose: stopped.');

    const survivors = seen.filter(alive);
    expect(survivors, `still running after Ctrl-C: ${survivors.join(', ')}`).toEqual([]);
    expect(markedProcesses()).toEqual([]);
    expect(await answers(port)).toBe(false);
    expect(await answers(redisPort)).toBe(false);
  }, 360_000);
});
