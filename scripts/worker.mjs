#!/usr/bin/env node
// `npm run worker`: one more worker for the oscompose `npm start` runs on this machine, with the
// same settings (.env, data directory, database, Redis) as the worker npm start supervises.
// Runs the compiled worker, as npm start does. On another machine set DATABASE_URL, REDIS_URL and a shared artifact store (README).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, loadDotEnv } from './lib/setup.mjs';

loadDotEnv();
const dataDir = path.resolve(ROOT, process.env.OSCOMPOSE_DATA_DIR || 'data');
const env = {
  ...process.env,
  OSCOMPOSE_DATA_DIR: dataDir,
  DATABASE_URL: process.env.DATABASE_URL || `file:${path.join(dataDir, 'oscompose.db')}`,
  REDIS_URL: process.env.REDIS_URL || `redis://127.0.0.1:${process.env.OSCOMPOSE_LOCAL_REDIS_PORT || 6379}`,
  NODE_ENV: process.env.NODE_ENV || 'production',
};
const worker = spawn(process.execPath, ['apps/worker/bin/worker.mjs'], { cwd: ROOT, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => worker.kill(signal));
worker.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
