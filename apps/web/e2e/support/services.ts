// Real services for the end-to-end build test: the starter catalog seeded into the test
// database and a real worker process (engine + boot check); Redis is @oscompose/queue/testing's.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

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

/** The starter catalog (images cached under the repo's data/ after the first run) into the test database. */
export function seedStarterCatalog(env: Record<string, string>): void {
  const res = spawnSync(TSX, ['apps/worker/src/seed.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`Seeding the starter catalog failed:\n${res.stdout}\n${res.stderr}`);
}

export function startWorker(env: Record<string, string>): Service {
  return track(spawn(TSX, ['apps/worker/src/main.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
}
