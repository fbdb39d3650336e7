// Real services for the end-to-end build test: a private redis-server, the starter catalog
// seeded into the test database, and a real worker process (engine + boot check).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './webApp';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx');

export interface Service {
  proc: ChildProcess;
  logs: string[];
  stop(): Promise<void>;
}

function track(proc: ChildProcess): Service {
  const logs: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
  proc.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
  return {
    proc,
    logs,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      try {
        process.kill(-proc.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 15_000);
      await new Promise((r) => proc.once('exit', r));
      clearTimeout(killer);
    },
  };
}

export async function startRedis(dir: string): Promise<Service & { url: string }> {
  const bin = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find(existsSync);
  if (!bin) throw new Error('redis-server not found: apt-get install redis-server');
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const svc = track(spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
  for (let i = 0; i < 50 && !svc.logs.join('').includes('Ready to accept connections'); i++) await new Promise((r) => setTimeout(r, 100));
  return { ...svc, url: `redis://127.0.0.1:${port}` };
}

/** The starter catalog (images cached under the repo's data/ after the first run) into the test database. */
export function seedStarterCatalog(env: Record<string, string>): void {
  const res = spawnSync(TSX, ['apps/worker/src/seed.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`Seeding the starter catalog failed:\n${res.stdout}\n${res.stderr}`);
}

export function startWorker(env: Record<string, string>): Service {
  return track(spawn(TSX, ['apps/worker/src/main.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
}
