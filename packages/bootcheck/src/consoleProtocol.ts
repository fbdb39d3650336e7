// Pure parser for the console protocol our init speaks (docs/console-protocol.md): every line
// containing "oscompose: " is an event; everything else is ordinary console output.

export type ContainerPhase = 'onboot' | 'onshutdown' | 'service';

export interface ContainerStatus {
  phase: ContainerPhase;
  name: string;
  /** exited: ran to completion (exitCode set); started: service running; error: could not run;
   *  stopped: service stopped by the shutdown. */
  status: 'exited' | 'started' | 'error' | 'stopped';
  exitCode?: number;
  message?: string;
  /** A service that exited after "shutdown started": stopped by the shutdown, not a failure. */
  stoppedAtShutdown?: boolean;
}

export type ConsoleEvent =
  | { type: 'init'; version: string; line: number }
  | { type: 'container'; phase: ContainerPhase; name: string; status: ContainerStatus['status']; exitCode?: number; message?: string; line: number }
  | { type: 'boot-complete'; line: number }
  | { type: 'shutdown-started'; line: number }
  | { type: 'shutdown-complete'; line: number }
  | { type: 'warning'; message: string; line: number }
  | { type: 'init-error'; message: string; line: number }
  | { type: 'unknown'; text: string; line: number };

export interface ConsoleSummary {
  events: ConsoleEvent[];
  initStarted: boolean;
  bootComplete: boolean;
  shutdownComplete: boolean;
  /** Latest status per container (phase + name), in order of first appearance. */
  containers: ContainerStatus[];
  warnings: string[];
  initErrors: string[];
}

const MARK = 'oscompose: ';
// Colour/cursor escapes that firmware and getty write between our lines (OVMF: ESC[=3h, a video mode).
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?=]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1bc/g;

/** The text without colour/cursor escapes. */
export function stripTerminalEscapes(text: string): string {
  return text.replace(ANSI, '');
}

/** Parses one protocol payload (the text after "oscompose: "). */
export function parseEvent(payload: string, line = 0): ConsoleEvent {
  const text = payload.trim();
  let m: RegExpMatchArray | null;
  if (text === 'boot complete') return { type: 'boot-complete', line };
  if (text === 'shutdown started') return { type: 'shutdown-started', line };
  if (text === 'shutdown complete') return { type: 'shutdown-complete', line };
  if ((m = text.match(/^init error (.*)$/))) return { type: 'init-error', message: m[1]!, line };
  if ((m = text.match(/^init (\S+) started$/))) return { type: 'init', version: m[1]!, line };
  if ((m = text.match(/^warning (.*)$/))) return { type: 'warning', message: m[1]!, line };
  if ((m = text.match(/^(onboot|onshutdown|service) (\S+) exit (-?\d+)$/)))
    return { type: 'container', phase: m[1] as ContainerPhase, name: m[2]!, status: 'exited', exitCode: Number(m[3]), line };
  if ((m = text.match(/^service (\S+) started$/))) return { type: 'container', phase: 'service', name: m[1]!, status: 'started', line };
  if ((m = text.match(/^service (\S+) stopped$/))) return { type: 'container', phase: 'service', name: m[1]!, status: 'stopped', line };
  if ((m = text.match(/^(onboot|onshutdown|service) (\S+) error ?(.*)$/)))
    return { type: 'container', phase: m[1] as ContainerPhase, name: m[2]!, status: 'error', message: m[3] ?? '', line };
  return { type: 'unknown', text, line };
}

/** Parses a whole console log (or what has arrived so far). */
export function parseConsole(text: string): ConsoleSummary {
  const events: ConsoleEvent[] = [];
  const lines = text.replace(ANSI, '').split(/\r?\n|\r/);
  lines.forEach((raw, i) => {
    // Kernel messages can land in front of our text on the same line: take the last marker.
    const at = raw.lastIndexOf(MARK);
    if (at < 0) return;
    // A line still being written (no newline yet) is left for the next call.
    if (i === lines.length - 1 && !/\r?\n$/.test(text)) return;
    events.push(parseEvent(raw.slice(at + MARK.length), i + 1));
  });
  const containers = new Map<string, ContainerStatus>();
  let shuttingDown = false;
  for (const e of events) {
    if (e.type === 'shutdown-started') shuttingDown = true;
    if (e.type !== 'container') continue;
    const key = `${e.phase}/${e.name}`;
    const prev = containers.get(key);
    const next: ContainerStatus = { phase: e.phase, name: e.name, status: e.status };
    if (e.exitCode !== undefined) next.exitCode = e.exitCode;
    if (e.message) next.message = e.message;
    if (shuttingDown && e.phase === 'service' && e.status === 'exited') next.stoppedAtShutdown = true;
    // A service that started and later exited is reported as exited (with its code).
    if (prev) containers.delete(key);
    containers.set(key, next);
  }
  // keep first-appearance order
  const order = [...new Set(events.filter((e) => e.type === 'container').map((e) => `${(e as { phase: string }).phase}/${(e as { name: string }).name}`))];
  return {
    events,
    initStarted: events.some((e) => e.type === 'init'),
    bootComplete: events.some((e) => e.type === 'boot-complete'),
    shutdownComplete: events.some((e) => e.type === 'shutdown-complete'),
    containers: order.map((k) => containers.get(k)!),
    warnings: events.flatMap((e) => (e.type === 'warning' ? [e.message] : [])),
    initErrors: events.flatMap((e) => (e.type === 'init-error' ? [e.message] : [])),
  };
}

/** Why a parsed boot is not healthy, one reason per problem; empty when all is well. */
export function bootProblems(s: ConsoleSummary): string[] {
  const out: string[] = [];
  for (const e of s.initErrors) out.push(`init: ${e}`);
  for (const c of s.containers) {
    if (c.status === 'error') out.push(`${c.phase} ${c.name} could not run: ${c.message || 'no reason given'}`);
    else if (c.phase !== 'service' && c.exitCode !== 0) out.push(`${c.phase} ${c.name} exited ${c.exitCode}`);
    else if (c.phase === 'service' && c.status === 'exited' && !c.stoppedAtShutdown) out.push(`service ${c.name} exited ${c.exitCode} after starting`);
  }
  if (!s.bootComplete) out.push(s.initStarted ? 'init started but never printed "boot complete"' : 'init never started (no "oscompose: init … started" line)');
  return out;
}
