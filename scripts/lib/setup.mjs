// The setup steps shared by `npm start`, `npm run dev` and `npm test`: install dependencies,
// generate the Prisma clients, migrate, make sure Redis answers. Node built-ins only, because the
// first step runs before node_modules exists. Each step is skipped when its inputs are unchanged
// (a content hash stored next to what the step produced), so a second run is quick.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLES, ensureBundle, isFresh } from './bundle.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'node_modules/.bin');

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, s) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
export const dim = (s) => paint('2', s);
export const bold = (s) => paint('1', s);
export const red = (s) => paint('31', s);
export const green = (s) => paint('32', s);
export const yellow = (s) => paint('33', s);
export const cyan = (s) => paint('36', s);

export function step(msg) {
  console.log(`${cyan('oscompose')} ${msg}`);
}

export class SetupError extends Error {}

/** Reads KEY=VALUE lines of `.env` into process.env; the real environment wins; empty values are skipped. */
export function loadDotEnv(file = path.join(ROOT, '.env')) {
  if (!existsSync(file)) return;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    // Empty means unset (.env.example lists every key, most of them empty).
    if (value !== '' && process.env[m[1]] === undefined) process.env[m[1]] = value;
  }
}

/** sha256 over files and directories (recursively, sorted), skipping heavy or generated folders. */
export function hashInputs(paths, extra = '') {
  const h = createHash('sha256');
  h.update(extra);
  const skip = new Set(['node_modules', '.next', '.git', 'data', 'coverage', 'test-results', 'screenshots']);
  const walk = (p) => {
    if (!existsSync(p)) {
      h.update(`missing:${path.relative(ROOT, p)}\n`);
      return;
    }
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (skip.has(name) || name.endsWith('.tsbuildinfo')) continue;
        walk(path.join(p, name));
      }
    } else if (st.isFile()) {
      h.update(`file:${path.relative(ROOT, p)}\n`);
      h.update(readFileSync(p));
    }
  };
  for (const p of paths) walk(path.resolve(ROOT, p));
  return h.digest('hex');
}

function stampMatches(file, hash) {
  return existsSync(file) && readFileSync(file, 'utf8').trim() === hash;
}

function writeStamp(file, hash) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${hash}\n`);
}

/** Runs a command to completion with inherited output; throws SetupError naming it on failure. */
export function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts, env: { ...process.env, ...opts.env } });
  if (res.error) throw new SetupError(`${cmd} ${args.join(' ')}: ${res.error.message}`);
  if (res.status !== 0) throw new SetupError(`${path.basename(cmd)} ${args.join(' ')} failed (exit ${res.status ?? res.signal})`);
}

const workspacePackageJsons = () =>
  ['packages', 'apps'].flatMap((dir) =>
    existsSync(path.join(ROOT, dir))
      ? readdirSync(path.join(ROOT, dir)).map((name) => path.join(dir, name, 'package.json'))
      : [],
  );

/** npm install when node_modules is missing or package.json/package-lock.json changed. */
export function ensureDependencies() {
  const inputs = ['package.json', 'package-lock.json', ...workspacePackageJsons()];
  const stamp = path.join(ROOT, 'node_modules/.oscompose/install.stamp');
  const hash = hashInputs(inputs, process.version);
  if (existsSync(path.join(BIN, 'tsx')) && stampMatches(stamp, hash)) return false;
  step('installing dependencies (npm install)…');
  // Where several people share one work tree, installs are serialised on this lock file.
  const lock = '/tmp/oscompose-npm.lock';
  const [cmd, args] = existsSync(lock) && which('flock')
    ? ['flock', [lock, 'npm', 'install', '--no-audit', '--no-fund']]
    : ['npm', ['install', '--no-audit', '--no-fund']];
  run(cmd, args, {
    env: {
      // Prisma must not try to download engines or generate on its own: we do that offline below.
      PRISMA_SKIP_POSTINSTALL_GENERATE: '1',
      PRISMA_GENERATE_SKIP_AUTOINSTALL: '1',
      PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
  // npm may rewrite package-lock.json; stamp what is there now.
  writeStamp(stamp, hashInputs(inputs, process.version));
  return true;
}

/** Generates both Prisma clients when the model or Prisma's version changed. */
export function ensurePrismaClients() {
  const inputs = ['prisma/schema.prisma', 'packages/db/scripts/prisma.mjs', 'node_modules/prisma/package.json'];
  const stamp = path.join(ROOT, 'packages/db-client/.stamp');
  const hash = hashInputs(inputs);
  const present = ['sqlite', 'postgres'].every((p) => existsSync(path.join(ROOT, 'packages/db-client', p, 'index.js')));
  if (present && stampMatches(stamp, hash)) return false;
  step('generating the Prisma clients…');
  run(process.execPath, ['packages/db/scripts/prisma.mjs', 'generate'], { stdio: ['ignore', 'ignore', 'inherit'] });
  writeStamp(stamp, hash);
  return true;
}

/**
 * Compiles the CLI and the worker (esbuild bundles, scripts/lib/bundle.mjs) when a source changed.
 * A failure is a warning: both then run from their TypeScript source through tsx.
 */
export async function ensureBundles() {
  for (const name of Object.keys(BUNDLES)) {
    if (isFresh(name)) continue;
    step(`compiling the ${name} (esbuild; skipped next time unless sources change)…`);
    const b = await ensureBundle(name);
    if (!b.entry) console.warn(yellow(`oscompose: could not compile the ${name} (${b.why}); it runs from its TypeScript source through tsx.`));
  }
}

/** Applies pending migrations to `databaseUrl` (quick when there are none). */
export function migrate(databaseUrl) {
  run(path.join(BIN, 'tsx'), ['packages/db/src/bin/migrate.ts'], { env: { DATABASE_URL: databaseUrl } });
}

/** The auth secret: AUTH_SECRET, or one generated once and kept in the data directory. */
export function authSecret(dataDir) {
  if (process.env.AUTH_SECRET) return process.env.AUTH_SECRET;
  const file = path.join(dataDir, 'auth-secret');
  if (!existsSync(file)) {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return readFileSync(file, 'utf8').trim();
}

/** Sends PING and resolves true on +PONG (any Redis, no client library needed). */
export function redisAnswers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let buffer = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      buffer += d.toString();
      if (buffer.includes('\r\n')) done(buffer.startsWith('+PONG') || buffer.startsWith('-NOAUTH'));
    });
  });
}

function portInUse(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(true));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(false)));
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function which(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

const REDIS_HELP = `Redis is needed and none answers. Either
  - install it:   sudo apt-get install redis-server      (Debian/Ubuntu)
                  sudo dnf install redis                 (Fedora)
                  brew install redis                     (macOS)
    then run npm start again (it starts redis-server itself, data in ./data/redis), or
  - point REDIS_URL at one, e.g. REDIS_URL=redis://redis.example.com:6379 npm start`;

/**
 * Makes sure Redis answers. REDIS_URL set: it must answer. Unset: use 127.0.0.1:6379 when it
 * answers, else start `redis-server` as a child with its data under <dataDir>/redis.
 * Returns { url, child, restart? } (child is null when Redis was already there; restart() starts
 * the local one again).
 */
export async function ensureRedis(dataDir, { onLine } = {}) {
  if (process.env.REDIS_URL) {
    const u = new URL(process.env.REDIS_URL);
    const port = Number(u.port || 6379);
    if (!(await redisAnswers(u.hostname, port))) {
      throw new SetupError(`REDIS_URL=${process.env.REDIS_URL} does not answer. Start that Redis, or unset REDIS_URL to use a local one.`);
    }
    return { url: process.env.REDIS_URL, child: null };
  }
  // OSCOMPOSE_LOCAL_REDIS_PORT: where the local Redis is looked for and started (tests use a free port).
  const port = Number(process.env.OSCOMPOSE_LOCAL_REDIS_PORT || 6379);
  const url = `redis://127.0.0.1:${port}`;
  if (await redisAnswers('127.0.0.1', port)) return { url, child: null };
  const bin = which('redis-server');
  if (!bin) throw new SetupError(REDIS_HELP);
  if (await portInUse(port)) {
    throw new SetupError(`Port ${port} is taken by something that is not Redis. Free it, or set REDIS_URL.`);
  }
  const child = await startLocalRedis(dataDir, port, { bin, onLine });
  return { url, child, restart: () => startLocalRedis(dataDir, port, { bin, onLine }) };
}

/**
 * Starts `redis-server` on 127.0.0.1:`port` with its append-only file under <dataDir>/redis and
 * resolves once it answers (npm start's supervisor calls it again when that Redis dies: the same
 * port and data, so the queue and every build's state come back).
 */
export async function startLocalRedis(dataDir, port, { bin = which('redis-server'), onLine } = {}) {
  if (!bin) throw new SetupError(REDIS_HELP);
  const dir = path.join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  step(`starting redis-server on 127.0.0.1:${port} (data in ${dir})`);
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  for (const stream of [child.stdout, child.stderr]) lineStream(stream, (l) => onLine?.(l));
  for (let i = 0; i < 100; i++) {
    if (await redisAnswers('127.0.0.1', port, 200)) return child;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {}
  throw new SetupError(`redis-server did not come up on port ${port} (see the redis lines above).`);
}

/** Calls `fn` for every complete line of a stream. */
export function lineStream(stream, fn) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    rest += chunk;
    let i;
    while ((i = rest.indexOf('\n')) >= 0) {
      fn(rest.slice(0, i).replace(/\r$/, ''));
      rest = rest.slice(i + 1);
    }
  });
  stream.on('end', () => {
    if (rest) fn(rest);
    rest = '';
  });
}
