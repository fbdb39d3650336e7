// What `npm start`'s supervisor says about the processes it restarts (<data dir>/supervisor.json,
// written by scripts/lib/supervise.mjs): turned into warnings for /api/health and the UI banner
// when a worker (or the web app, or the registry) keeps crashing. Absent file: not under npm start.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface SupervisedChild {
  pid: number | null;
  running: boolean;
  restarts: number;
  recentExits: { at: string; exit: string }[];
  nextRestartAt: string | null;
}

export interface SupervisorStatus {
  pid: number;
  updatedAt: string;
  crashWindowMs: number;
  crashLoopCount: number;
  children: Record<string, SupervisedChild>;
}

const NAMES: Record<string, string> = { worker: 'The worker', web: 'The web app', registry: 'The image store registry', redis: 'Redis (started by npm start)' };

/** One line per child that exited crashLoopCount times or more within the window before `now`. */
export function supervisorWarnings(status: SupervisorStatus | null, now = Date.now()): string[] {
  if (!status) return [];
  const warnings: string[] = [];
  for (const [name, child] of Object.entries(status.children)) {
    const recent = child.recentExits.filter((e) => now - Date.parse(e.at) < status.crashWindowMs);
    if (recent.length < status.crashLoopCount) continue;
    const last = recent.at(-1)!;
    const minutes = Math.round(status.crashWindowMs / 60_000);
    const next = child.running ? 'it is running again' : child.nextRestartAt ? `next restart at ${child.nextRestartAt.slice(11, 19)} UTC` : 'it is not running';
    warnings.push(
      `${NAMES[name] ?? name} keeps crashing: it exited ${recent.length} times in the last ${minutes} minutes (last: ${last.exit} at ${last.at.slice(11, 19)} UTC); ${next}. npm start restarts it with backoff; its log lines say why.`,
    );
  }
  return warnings;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The supervisor's status, or null when there is none (or its writer is gone: a stale file). */
export async function readSupervisorStatus(dataDir: string): Promise<SupervisorStatus | null> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, 'supervisor.json'), 'utf8');
  } catch {
    return null;
  }
  try {
    const status = JSON.parse(text) as SupervisorStatus;
    return typeof status.pid === 'number' && alive(status.pid) && status.children ? status : null;
  } catch {
    return null;
  }
}
