import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSupervisorStatus, supervisorWarnings, type SupervisorStatus } from './supervision';

const now = Date.parse('2026-12-03T12:10:00Z');
const status = (exits: string[], running = true): SupervisorStatus => ({
  pid: process.pid,
  updatedAt: '2026-12-03T12:09:00Z',
  crashWindowMs: 300_000,
  crashLoopCount: 3,
  children: {
    worker: { pid: 42, running, restarts: exits.length, recentExits: exits.map((at) => ({ at, exit: 'SIGKILL' })), nextRestartAt: running ? null : '2026-12-03T12:10:04.000Z' },
    web: { pid: 43, running: true, restarts: 0, recentExits: [], nextRestartAt: null },
  },
});

describe('supervisor warnings', () => {
  it('name a worker that exited three times in five minutes, with the last exit and what happens next', () => {
    const w = supervisorWarnings(status(['2026-12-03T12:06:00Z', '2026-12-03T12:08:00Z', '2026-12-03T12:09:30Z'], false), now);
    expect(w).toEqual([
      'The worker keeps crashing: it exited 3 times in the last 5 minutes (last: SIGKILL at 12:09:30 UTC); next restart at 12:10:04 UTC. npm start restarts it with backoff; its log lines say why.',
    ]);
  });

  it('say nothing for fewer exits, exits older than the window, or no supervisor', () => {
    expect(supervisorWarnings(status(['2026-12-03T12:08:00Z', '2026-12-03T12:09:30Z']), now)).toEqual([]);
    expect(supervisorWarnings(status(['2026-12-03T11:00:00Z', '2026-12-03T12:08:00Z', '2026-12-03T12:09:30Z']), now)).toEqual([]);
    expect(supervisorWarnings(null, now)).toEqual([]);
  });
});

describe('the status file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'oscompose-supervision-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is read while its writer lives, ignored when it is gone, garbled or absent', async () => {
    expect(await readSupervisorStatus(dir)).toBeNull();
    writeFileSync(path.join(dir, 'supervisor.json'), JSON.stringify(status([])));
    expect((await readSupervisorStatus(dir))?.children.worker?.pid).toBe(42);
    writeFileSync(path.join(dir, 'supervisor.json'), JSON.stringify({ ...status([]), pid: 2 ** 22 + 7 }));
    expect(await readSupervisorStatus(dir)).toBeNull();
    writeFileSync(path.join(dir, 'supervisor.json'), '{"pid": 1, "chil');
    expect(await readSupervisorStatus(dir)).toBeNull();
  });
});
