#!/usr/bin/env node
// `npm start` (production build) and `npm run dev` (hot reload): sets everything up on a fresh
// clone, then runs the web app and a worker (and a local Redis when none answers) with prefixed,
// readable logs. Ctrl-C or SIGTERM stops every child. Node built-ins only.
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
import { readFileSync, writeFileSync } from 'node:fs';

const args = new Set(process.argv.slice(2));
const DEV = args.has('--dev');
const PREPARE_ONLY = args.has('--prepare');
const BIN = path.join(ROOT, 'node_modules/.bin');

/** Children we started: stopped in reverse order (web and worker first, Redis last). */
const children = [];
let stopping = false;

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
function startChild(name, cmd, argv, opts) {
  const child = spawn(cmd, argv, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push({ name, child });
  pipeOutput(name, child);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(red(`oscompose: ${name} exited (${signal ?? `code ${code}`}); stopping everything.`));
    void stopAll(1);
  });
  return child;
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
  const apps = children.filter((c) => c.name !== 'redis');
  const redis = children.filter((c) => c.name === 'redis');
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
async function waitHealthy(url) {
  const started = Date.now();
  let lastReport = '';
  while (!stopping) {
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) });
      const body = await res.json().catch(() => ({}));
      if (res.status === 200) return true;
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

  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGHUP', () => void stopAll(0));

  const redis = await ensureRedis(dataDir, { onLine: (l) => console.log(`${prefix('redis')} ${dim(l)}`) });
  if (redis.child) {
    children.push({ name: 'redis', child: redis.child });
    redis.child.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(red(`oscompose: redis exited (${signal ?? `code ${code}`}); stopping everything.`));
      void stopAll(1);
    });
  }
  env.REDIS_URL = redis.url;

  // The image store at a registry address (docs/registry.md); optional: oscompose runs without it.
  const registry = await startRegistry({ dataDir, webPort: port, env, onLine: (l) => console.log(`${prefix('registry')} ${formatLogLine(l, useColor)}`) });
  if (registry.child) {
    step(`serving the image store at ${registry.host} (docker-registry, data in ${path.join(dataDir, 'registry')})`);
    children.push({ name: 'registry', child: registry.child });
    registry.child.on('exit', (code, signal) => {
      if (!stopping) console.warn(yellow(`oscompose: docker-registry exited (${signal ?? `code ${code}`}); images are no longer served at ${registry.host}.`));
    });
  } else if (registry.warn) {
    console.warn(yellow(`oscompose: ${registry.skipped}`));
  } else if (registry.help) {
    console.log(dim(`oscompose: ${registry.skipped}`));
  }

  const webDir = path.join(ROOT, 'apps/web');
  startChild('web', path.join(BIN, 'next'), DEV ? ['dev', '-p', String(port)] : ['start', '-p', String(port)], {
    cwd: webDir,
    env: { ...env, NODE_ENV: DEV ? 'development' : 'production' },
  });
  // The compiled worker (apps/worker/bin/worker.mjs runs the bundle); dev: tsx watch on the source.
  const worker = DEV ? [path.join(BIN, 'tsx'), ['watch', 'apps/worker/src/main.ts']] : [process.execPath, ['apps/worker/bin/worker.mjs']];
  startChild('worker', worker[0], worker[1], {
    cwd: ROOT,
    env: { ...env, NODE_ENV: DEV ? 'development' : 'production' },
  });

  const url = `http://localhost:${port}`;
  if (await waitHealthy(`http://127.0.0.1:${port}`)) {
    console.log(`\n  ${bold('oscompose is up:')} ${green(url)}   ${dim('(Ctrl-C stops it)')}\n`);
    // The token server (the web app) answers now: push what the image store holds that the registry lacks.
    if (registry.child) mirrorImageStore(registry.host, env);
  }
}

main().catch((err) => {
  console.error(red(`oscompose: ${err instanceof SetupError || err instanceof HostPackagesError ? err.message : err.stack ?? err}`));
  if (children.length) void stopAll(1);
  else process.exit(1);
});
