// Folds the build's event stream into what the build page shows: stages with progress, the
// log, and the final status. Pure, so the page and tests share it.
import { isFinalStatus } from '@oscompose/db/build-status';

export interface BuildStreamEvent {
  id?: string;
  type: string;
  data: Record<string, unknown>;
}

export interface StageState {
  name: string;
  state: 'pending' | 'active' | 'done' | 'failed';
  done?: number;
  total?: number;
  message?: string;
}

export interface LogLine {
  time?: string;
  level: string;
  stage?: string;
  message: string;
  /** A line made from a status event (dropped once the final status is known). */
  status?: true;
}

export interface BuildProgress {
  status?: string;
  error?: string | null;
  stages: StageState[];
  log: LogLine[];
}

const KNOWN_STAGES = ['resolve', 'fetch', 'assemble', 'compress', 'output', 'publish', 'bootcheck'];
export { isFinalStatus };

export function initialProgress(): BuildProgress {
  return { stages: [], log: [] };
}

/** A finished stage counts everything it had to do (its last progress event may be older). */
function finish(s: StageState): StageState {
  return { ...s, state: 'done', ...(s.total !== undefined ? { done: s.total } : {}) };
}

function touchStage(stages: StageState[], name: string): StageState[] {
  if (stages.some((s) => s.name === name)) return stages;
  // A new stage means the earlier ones are over.
  const closed = stages.map((s) => (s.state === 'active' ? finish(s) : s));
  return [...closed, { name, state: 'active' }];
}

export function applyEvent(p: BuildProgress, e: BuildStreamEvent): BuildProgress {
  const d = e.data;
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  const num = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : undefined);
  const stage = str('stage');
  switch (e.type) {
    case 'status': {
      const status = str('status');
      let stages = p.stages;
      let log = p.log;
      if (isFinalStatus(status)) {
        stages = stages.map((s) => (s.state !== 'active' ? s : status === 'succeeded' ? finish(s) : { ...s, state: 'failed' }));
        // The final state only: earlier status lines (queued, running) would read as current.
        log = log.filter((l) => !l.status);
      }
      const line: LogLine = { time: str('time'), level: status === 'failed' ? 'error' : 'info', message: `status: ${status}${str('error') ? ` — ${str('error')}` : ''}`, status: true };
      return { ...p, status, error: str('error') ?? p.error ?? null, stages, log: [...log, line] };
    }
    case 'stage':
    case 'progress': {
      if (!stage) return p;
      const stages = touchStage(p.stages, stage).map((s) =>
        s.name === stage ? { ...s, done: num('done') ?? s.done, total: num('total') ?? s.total, message: str('message') ?? s.message } : s,
      );
      const log = str('message') ? [...p.log, { time: str('time'), level: 'info', stage, message: str('message')! }] : p.log;
      return { ...p, stages, log };
    }
    case 'log':
    case 'artifact':
    case 'bootcheck': {
      const stages = stage ? touchStage(p.stages, stage) : e.type === 'bootcheck' ? touchStage(p.stages, 'bootcheck') : p.stages;
      const message = str('message') ?? str('line') ?? describe(e.type, d);
      return { ...p, stages, log: [...p.log, { time: str('time'), level: str('level') ?? 'info', stage: stage ?? (e.type === 'bootcheck' ? 'bootcheck' : undefined), message }] };
    }
    default:
      return p;
  }
}

/** Known stages in pipeline order, for a skeleton before any event arrives. */
export function stageSkeleton(seen: StageState[]): StageState[] {
  const names = new Set(seen.map((s) => s.name));
  return [...seen, ...KNOWN_STAGES.filter((n) => !names.has(n) && n !== 'compress' && n !== 'fetch').map((name) => ({ name, state: 'pending' as const }))];
}

/** One readable line for events that carry data rather than a message. */
function describe(type: string, d: Record<string, unknown>): string {
  if (type === 'artifact' && typeof d.name === 'string') {
    return `artifact ${d.name}${typeof d.size === 'number' ? ` (${d.size} bytes)` : ''}${typeof d.sha256 === 'string' ? ` sha256:${d.sha256}` : ''}`;
  }
  if (type === 'bootcheck' && typeof d.ok === 'boolean') {
    const containers = Array.isArray(d.containers) ? (d.containers as { name?: string; status?: string; exitCode?: number | null }[]) : [];
    const parts = containers.map((c) => `${c.name ?? '?'} ${c.status ?? ''}${c.exitCode !== undefined && c.exitCode !== null ? ` (${c.exitCode})` : ''}`);
    return `boot check${typeof d.format === 'string' ? ` ${d.format}` : ''}: ${d.ok ? 'booted' : 'FAILED'}${parts.length ? ` — ${parts.join(', ')}` : ''}`;
  }
  const { time: _time, ...rest } = d;
  return JSON.stringify(rest);
}
