// The restart rules of `npm start`'s supervisor, pure so they can be tested: how long to wait
// before restarting a child that exited unexpectedly (exponential backoff, reset once it has run
// a while), and when a child "keeps crashing" (what /api/health and the UI banner report). The
// status file (<data dir>/supervisor.json) is how the web app, a child, learns about it.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const CRASH_WINDOW_MS = 5 * 60_000;
export const CRASH_LOOP_COUNT = 3;
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
/** A child that ran this long before exiting was healthy: its next restart is quick again. */
const STABLE_MS = 60_000;

export const initialChildState = () => ({ restarts: 0, consecutive: 0, recentExits: [] });

/**
 * The state after an unexpected exit at `at` (ms) of a child that had run `ranMs`:
 * the delay before the restart and whether it keeps crashing.
 */
export function afterExit(state, { at, ranMs, exit }) {
  const consecutive = ranMs >= STABLE_MS ? 1 : state.consecutive + 1;
  const recentExits = [...state.recentExits.filter((e) => at - e.at < CRASH_WINDOW_MS), { at, exit }];
  return {
    restarts: state.restarts + 1,
    consecutive,
    recentExits,
    delayMs: Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (consecutive - 1)),
    keepsCrashing: recentExits.length >= CRASH_LOOP_COUNT,
  };
}

/** The JSON the web app reads (apps/web/src/server/supervision.ts has its type). */
export function statusDocument(pid, entries, now = Date.now()) {
  return {
    pid,
    updatedAt: new Date(now).toISOString(),
    crashWindowMs: CRASH_WINDOW_MS,
    crashLoopCount: CRASH_LOOP_COUNT,
    children: Object.fromEntries(
      entries.map((e) => [
        e.name,
        {
          pid: e.child?.pid ?? null,
          running: Boolean(e.child && e.child.exitCode === null && e.child.signalCode === null),
          restarts: e.state.restarts,
          recentExits: e.state.recentExits.map((x) => ({ at: new Date(x.at).toISOString(), exit: x.exit })),
          nextRestartAt: e.nextRestartAt ? new Date(e.nextRestartAt).toISOString() : null,
        },
      ]),
    ),
  };
}

/** Written whole and renamed into place, so a reader never sees half a file. */
export function writeStatusFile(file, doc) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
  renameSync(tmp, file);
}

export function removeStatusFile(file) {
  rmSync(file, { force: true });
}
