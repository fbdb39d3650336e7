#!/usr/bin/env node
// `npm test`: the same setup as `npm start` (dependencies, Prisma clients, Redis), a migrated
// test database, then `vitest run` (extra arguments pass through: `npm test -- packages/db`).
// Database tests also run on PostgreSQL (TEST_POSTGRES_URL), each run in a schema of its own.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  ROOT,
  SetupError,
  ensureBundles,
  ensureDependencies,
  ensurePrismaClients,
  ensureRedis,
  loadDotEnv,
  migrate,
  red,
  step,
  yellow,
} from './lib/setup.mjs';
import { HostPackagesError, ensureHostPackages } from './lib/host-packages.mjs';

const DEFAULT_POSTGRES = 'postgresql://postgres@127.0.0.1:5432/test';

function tcpAnswers(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(2000, () => {
      s.destroy();
      resolve(false);
    });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function main() {
  loadDotEnv();
  const started = Date.now();
  // Everything the tests use (scripts/host-packages.txt), before anything else.
  ensureHostPackages('test', { say: step, warn: (l) => console.warn(yellow(l)) });
  ensureDependencies();
  ensurePrismaClients();
  // Tests run the CLI and the worker as users do (compiled); build them once here, not per test.
  await ensureBundles();

  // A throwaway SQLite database for tests that use DATABASE_URL; most tests make their own.
  const runDir = path.join(ROOT, 'data', 'test-runs', `${process.pid}`);
  mkdirSync(runDir, { recursive: true });
  const databaseUrl = `file:${path.join(runDir, 'test.db')}`;
  migrate(databaseUrl);

  const postgresUrl = process.env.TEST_POSTGRES_URL || DEFAULT_POSTGRES;
  const pg = new URL(postgresUrl);
  if (!(await tcpAnswers(pg.hostname, Number(pg.port || 5432)))) {
    console.warn(
      yellow(
        `oscompose: PostgreSQL does not answer at ${pg.hostname}:${pg.port || 5432}; the PostgreSQL database tests will fail.\n` +
          `  Start it (Debian: pg_ctlcluster 15 main start; .ci/run does this) or set TEST_POSTGRES_URL.`,
      ),
    );
  }

  const redis = await ensureRedis(runDir);
  const stopRedis = () => {
    if (redis.child && redis.child.exitCode === null) {
      try {
        process.kill(-redis.child.pid, 'SIGTERM');
      } catch {}
    }
  };
  step(`setup done in ${((Date.now() - started) / 1000).toFixed(1)} s; running vitest…`);

  const vitest = spawn(path.join(ROOT, 'node_modules/.bin/vitest'), ['run', ...process.argv.slice(2)], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEST_POSTGRES_URL: postgresUrl,
      REDIS_URL: redis.url,
      NEXT_TELEMETRY_DISABLED: '1',
    },
  });
  const forward = (signal) => () => vitest.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  vitest.on('exit', (code, signal) => {
    stopRedis();
    rmSync(runDir, { recursive: true, force: true });
    process.exit(code ?? (signal ? 1 : 0));
  });
}

main().catch((err) => {
  console.error(red(`oscompose test: ${err instanceof SetupError || err instanceof HostPackagesError ? err.message : err.stack ?? err}`));
  process.exit(1);
});
