#!/usr/bin/env node
// `npm start` (production build) and `npm run dev` (hot reload): sets everything up on a fresh
// clone, then runs the web app and a worker (and a local Redis when none answers) with prefixed,
// readable logs. A web app, worker, registry or our own redis-server that exits unexpectedly is
// restarted with backoff (scripts/lib/supervise.mjs; /api/health reports one that keeps
// crashing). Ctrl-C or SIGTERM
// stops every child. Node built-ins only.
//
//   node scripts/start.mjs            set up, build when sources changed, run
//   node scripts/start.mjs --dev      set up, run `next dev` and `tsx watch`
//   node scripts/start.mjs --prepare  set up and build, then exit (CI, tests, containers)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT,
  SetupError,
  authSecret,
  bold,
  dim,
  ensureBundles,
  ensureDependencies,
  ensurePrismaClients,
  ensureRedis,
  green,
  hashInputs,
  lineStream,
  migrate,
  red,
  run,
  step,
  yellow,
  loadDotEnv,
} from './lib/setup.mjs';
import { formatLogLine } from './lib/logs.mjs';
import { HostPackagesError, ensureHostPackages } from './lib/host-packages.mjs';
import { startRegistry } from './lib/registry.mjs';
import { afterExit, initialChildState, removeStatusFile, statusDocument, writeStatusFile } from './lib/supervise.mjs';
import { readFileSync, writeFileSync } from 'node:fs';

const args = new Set(process.argv.slice(2));
const DEV = args.has('--dev');
const PREPARE_ONLY = args.has('--prepare');
const BIN = path.join(ROOT, 'node_modules/.bin');

/**
 * Children we started: { name, child, supervised?, state, timer } (web and worker stopped first,
 * Redis last). A supervised entry gets a new child when the old one exits unexpectedly.
 */
const children = [];
let stopping = false;
/** <data dir>/supervisor.json: what the web app reads for /api/health (set in main). */
let statusFile = null;
function writeStatus() {
  if (!statusFile || stopping) return;
  try {
    writeStatusFile(statusFile, statusDocument(process.pid, children.filter((c) => c.supervised)));
  } catch (err) {
    console.warn(yellow(`oscompose: could not write ${statusFile}: ${err.message}`));
  }
}

function stampOk(file, hash) {
  return existsSync(file) && readFileSync(file, 'utf8').trim() === hash;
}

/** `next build` when the web app or a package it uses changed since the last build. */
function ensureWebBuild() {
  const inputs = [
    'apps/web/app',
    'apps/web/src',
    'apps/web/public',
    'apps/web/next.config.ts',
    'apps/web/postcss.config.mjs',
    'apps/web/tsconfig.json',
    'apps/web/package.json',
    'package-lock.json',
    'packages/db-client/.stamp',
    ...['spec', 'db', 'queue', 'storage', 'catalog', 'engine'].flatMap((p) => [`packages/${p}/src`, `packages/${p}/package.json`]),
  ];
  const stamp = path.join(ROOT, 'apps/web/.next/oscompose-build.stamp');
  const hash = hashInputs(inputs);
  if (existsSync(path.join(ROOT, 'apps/web/.next/BUILD_ID')) && stampOk(stamp, hash)) return;
  step('building the web app (next build; skipped next time unless sources change)…');
  // Type errors are CI's business (npm run typecheck); they must not keep the app from starting.
  run(path.join(BIN, 'next'), ['build'], {
    cwd: path.join(ROOT, 'apps/web'),
    env: { NEXT_TELEMETRY_DISABLED: '1', OSCOMPOSE_SKIP_TYPECHECK: '1' },
  });
  writeFileSync(stamp, `${hash}\n`);
}

/**
 * Seeds the starter catalog and compositions when the catalog or the database changed.
 * OSCOMPOSE_SEED=skip turns it off (tests). A failure is reported and the app starts anyway.
 */
function ensureSeed(env, dataDir) {
  if (process.env.OSCOMPOSE_SEED === 'skip') return;
  const stamp = path.join(dataDir, 'seed.stamp');
  const hash = hashInputs(['packages/catalog/recipes', 'packages/catalog/compositions', 'packages/catalog/src', 'packages/catalog/init', 'apps/worker/src/seed.ts', 'apps/worker/src/seed', 'prisma/migrations'], env.DATABASE_URL);
  if (stampOk(stamp, hash)) return;
  step('seeding the starter catalog and default compositions…');
  try {
    run(path.join(BIN, 'tsx'), ['apps/worker/src/seed.ts'], { env });
    writeFileSync(stamp, `${hash}\n`);
  } catch (err) {
    console.warn(yellow(`oscompose: seeding failed (${err.message}); starting without the starter catalog. npm start retries it.`));
  }
}

const COLORS = { web: '35', worker: '34', redis: '33', registry: '36' };
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
function prefix(name) {
  const label = name.padEnd(8);
  return useColor ? `\x1b[${COLORS[name] ?? '37'}m${label}\x1b[0m │` : `${label} │`;
}

function pipeOutput(name, child) {
  const out = (line) => console.log(`${prefix(name)} ${formatLogLine(line, useColor)}`);
  lineStream(child.stdout, out);
  lineStream(child.stderr, out);
}

/** Starts a child in its own process group, so stopping it stops everything it started. */
function spawnChild(name, cmd, argv, opts) {
  const child = spawn(cmd, argv, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  pipeOutput(name, child);
  return child;
}

/**
 * Runs `launch()` (a child, or a promise of one) and launches it again whenever it exits while we
 * are not stopping: after 1 s, doubling up to 30 s while it keeps failing fast. What the other
 * processes need (the web app's port, the queue in Redis) stays, so users are served meanwhile
 * and a build the dead worker held is taken over by the next one (stalled-job recovery).
 */
function supervise(name, launch, { fatal = () => false } = {}) {
  const entry = { name, child: null, supervised: true, state: initialChildState(), timer: null, nextRestartAt: null };
  children.push(entry);
  const begin = async () => {
    entry.timer = null;
    entry.nextRestartAt = null;
    if (stopping) return;
    let child;
    try {
      child = await launch();
    } catch (err) {
      child = null;
      console.error(red(`oscompose: could not start ${name}: ${err.message}`));
    }
    if (stopping) {
      if (child) signalGroup(child, 'SIGTERM');
      return;
    }
    const startedAt = Date.now();
    const onExit = (exit, code) => {
      if (stopping) return;
      const why = fatal(code);
      if (why) {
        console.error(red(`oscompose: ${name} exited (${exit}): ${why}; stopping everything.`));
        void stopAll(1);
        return;
      }
      entry.state = afterExit(entry.state, { at: Date.now(), ranMs: Date.now() - startedAt, exit });
      const { delayMs, keepsCrashing, recentExits } = entry.state;
      const note = keepsCrashing ? `; it keeps crashing (${recentExits.length} times in 5 minutes)` : '';
      console.error(red(`oscompose: ${name} exited (${exit}); restarting it in ${delayMs / 1000} s${note}`));
      entry.nextRestartAt = Date.now() + delayMs;
      entry.timer = setTimeout(() => void begin(), delayMs);
      writeStatus();
    };
    if (!child) return onExit('did not start');
    entry.child = child;
    child.once('exit', (code, signal) => onExit(signal ?? `code ${code}`, code));
    writeStatus();
  };
  return begin();
}

/** A launch for supervise() of a child already started during setup: that one first, then `again()`. */
function startedThen(child, again) {
  let first = child;
  return () => {
    if (!first) return again();
    const c = first;
    first = null;
    return c;
  };
}

function signalGroup(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {}
  }
}

const exited = (child) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', resolve));

async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.timer) clearTimeout(c.timer);
  if (statusFile) removeStatusFile(statusFile);
  const live = children.filter((c) => c.child);
  const apps = live.filter((c) => c.name !== 'redis');
  const redis = live.filter((c) => c.name === 'redis');
  for (const group of [apps, redis]) {
    if (!group.length) continue;
    for (const { child } of group) signalGroup(child, 'SIGTERM');
    const grace = new Promise((resolve) => setTimeout(resolve, 15_000).unref());
    await Promise.race([Promise.all(group.map(({ child }) => exited(child))), grace]);
    for (const { child } of group) signalGroup(child, 'SIGKILL');
    await Promise.all(group.map(({ child }) => exited(child)));
  }
  console.log(dim('oscompose: stopped.'));
  process.exit(code);
}

/** Polls /api/health until it answers 200; prints what is still down now and then. */
async function waitHealthy(url, onAnswer = () => {}) {
  const started = Date.now();
  let lastReport = '';
  while (!stopping) {
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) });
      const body = await res.json().catch(() => ({}));
      onAnswer(body);
      if (res.status === 200) return body;
      lastReport = (body.problems ?? []).join('; ');
    } catch (err) {
      lastReport = err.message;
    }
    if (Date.now() - started > 120_000) {
      console.warn(yellow(`oscompose: not healthy after 2 minutes: ${lastReport || 'no answer'} (still running)`));
      return false;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/**
 * What a newcomer needs once it is up: where data lives, which formats the worker can build (and
 * what to install for the rest), whether builds are boot-checked, how to add a worker.
 */
function summary(health, { dataDir, databaseUrl, redisUrl, redisIsOurs, registry }) {
  const worker = health.workers?.[0] ?? {};
  const unavailable = worker.unavailable ?? [];
  // Inside the checkout: relative (data/…); elsewhere: the absolute path.
  const rel = (p) => (p.startsWith(`${ROOT}/`) ? path.relative(ROOT, p) : p);
  const db = databaseUrl.startsWith('file:') ? `SQLite ${rel(databaseUrl.slice(5))}` : databaseUrl.replace(/\/\/[^@/]*@/, '//…@');
  const lines = [
    ['data', `${rel(dataDir)}/  (${db}; artifacts/, images/${redisIsOurs ? ', redis/' : ''}; delete it to start over)`],
    ['redis', `${redisUrl}${redisIsOurs ? ' (started by npm start)' : ''}`],
    ['formats', worker.formats ? worker.formats.join(', ') : 'unknown (the worker did not list them)'],
    ...unavailable.map((u) => ['not here', yellow(u)]),
    ['boot check', process.env.WORKER_BOOT_CHECK === 'false' ? 'off (WORKER_BOOT_CHECK=false)' : unavailable.some((u) => u.startsWith('the boot check')) ? yellow('unavailable (see above)') : 'on: every build boots in QEMU before it is published'],
    ['registry', registry.child ? `${registry.host} serves the image store` : 'not served (see above)'],
    ['workers', `${health.workers.length} (concurrency ${worker.concurrency ?? '?'}); add one: ${bold('npm run worker')} in another terminal (same .env), or see README "PostgreSQL and more workers"`],
  ];
  return `${lines.map(([k, v]) => `  ${dim(k.padEnd(11))}${v}`).join('\n')}\n`;
}

/** Runs the mirror one-shot in the background; its lines carry the registry prefix. */
function mirrorImageStore(host, env) {
  const child = spawn(path.join(BIN, 'tsx'), ['apps/web/src/server/registry/mirror-main.ts', host], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push({ name: 'mirror', child });
  pipeOutput('registry', child);
}

async function main() {
  loadDotEnv();
  const dataDir = path.resolve(ROOT, process.env.OSCOMPOSE_DATA_DIR || 'data');
  mkdirSync(dataDir, { recursive: true });
  const databaseUrl = process.env.DATABASE_URL || `file:${path.join(dataDir, 'oscompose.db')}`;
  const port = Number(process.env.PORT || 3000);

  // First, so a host that cannot get its packages stops before anything else happens.
  ensureHostPackages('start', { say: step, warn: (l) => console.warn(yellow(l)) });
  ensureDependencies();
  ensurePrismaClients();
  migrate(databaseUrl);

  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    OSCOMPOSE_DATA_DIR: dataDir,
    AUTH_SECRET: authSecret(dataDir),
    PORT: String(port),
    NEXT_TELEMETRY_DISABLED: '1',
  };
  ensureSeed(env, dataDir);
  // OSCOMPOSE_SKIP_BUILD=1 runs the existing build as is (tests that prepared it already).
  if (!DEV && process.env.OSCOMPOSE_SKIP_BUILD !== '1') ensureWebBuild();
  if (!DEV) await ensureBundles();
  if (PREPARE_ONLY) {
    step(green('ready (prepared only).'));
    return;
  }

  statusFile = path.join(dataDir, 'supervisor.json');
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGHUP', () => void stopAll(0));

  const redis = await ensureRedis(dataDir, { onLine: (l) => console.log(`${prefix('redis')} ${dim(l)}`) });
  if (redis.child) {
    // Our own redis-server is supervised like the rest: restarted on the same port and
    // append-only file, while the web app and the worker reconnect and carry on.
    void supervise('redis', startedThen(redis.child, () => redis.restart()));
  }
  env.REDIS_URL = redis.url;

  // The image store at a registry address (docs/registry.md); optional: oscompose runs without it.
  const registryOptions = { dataDir, webPort: port, env, onLine: (l) => console.log(`${prefix('registry')} ${formatLogLine(l, useColor)}`) };
  const registry = await startRegistry(registryOptions);
  if (registry.child) {
    step(`serving the image store at ${registry.host} (docker-registry, data in ${path.join(dataDir, 'registry')})`);
    void supervise(
      'registry',
      startedThen(registry.child, async () => {
        const again = await startRegistry(registryOptions);
        if (!again.child) throw new Error(again.skipped);
        return again.child;
      }),
    );
  } else if (registry.warn) {
    console.warn(yellow(`oscompose: ${registry.skipped}`));
  } else if (registry.help) {
    console.log(dim(`oscompose: ${registry.skipped}`));
  }

  const webDir = path.join(ROOT, 'apps/web');
  let up = false;
  void supervise('web', () =>
    spawnChild('web', path.join(BIN, 'next'), DEV ? ['dev', '-p', String(port)] : ['start', '-p', String(port)], {
      cwd: webDir,
      env: { ...env, NODE_ENV: DEV ? 'development' : 'production' },
    }),
    // Before it ever served (port taken, a broken build) restarting would only repeat the error.
    { fatal: () => (up ? false : 'the web app did not come up (see its lines above)') },
  );
  // The compiled worker (apps/worker/bin/worker.mjs runs the bundle in this node process, so a
  // kill -9 of its pid ends the worker itself); dev: tsx watch on the source.
  const worker = DEV ? [path.join(BIN, 'tsx'), ['watch', 'apps/worker/src/main.ts']] : [process.execPath, ['apps/worker/bin/worker.mjs']];
  void supervise('worker', () => spawnChild('worker', worker[0], worker[1], { cwd: ROOT, env: { ...env, NODE_ENV: DEV ? 'development' : 'production' } }), {
    // Exit 2 is the worker's configuration error (printed above): a restart would repeat it.
    fatal: (code) => (code === 2 ? 'fix the setting it names' : false),
  });

  // The address people use: the public URL when one is set (.env or environment; the web app reads
  // the same names), else the default it stands for.
  const url = (process.env.OSCOMPOSE_PUBLIC_URL || process.env.PUBLIC_URL || process.env.BETTER_AUTH_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  const health = await waitHealthy(`http://127.0.0.1:${port}`, () => (up = true));
  if (health) {
    console.log(`\n  ${bold('oscompose is up:')} ${green(url)}   ${dim('(Ctrl-C stops it)')}\n`);
    console.log(summary(health, { dataDir, databaseUrl, redisUrl: redis.url, redisIsOurs: Boolean(redis.child), registry }));
    // The token server (the web app) answers now: push what the image store holds that the registry lacks.
    if (registry.child) mirrorImageStore(registry.host, env);
  }
}

main().catch((err) => {
  console.error(red(`oscompose: ${err instanceof SetupError || err instanceof HostPackagesError ? err.message : err.stack ?? err}`));
  if (children.length) void stopAll(1);
  else process.exit(1);
});
