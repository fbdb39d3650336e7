// Boots an artifact in QEMU and gives it a verdict (verdict.ts `decide`, asked after every console
// chunk and every half second): any init can be `booted`, the user's expectations make it
// `verified` or `failed`. Once decided, QEMU runs on until its console goes quiet, so what the
// containers print after the deciding line is kept. QEMU is always stopped before this returns.

import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parseConsole, type ContainerStatus } from './consoleProtocol';
import { bootTimeline, type BootTimeline } from './timeline';
import type { BootExpectations } from './expectations';
import { ConsoleLines, decide, type BootObservation, type Decision, type ExpectationResult, type Verdict } from './verdict';
import { OVMF_CODE, OVMF_VARS, firmwareOf, qemuArgs, type BootTarget } from './qemuArgs';
import { onPath, pickHostPort, spawnQemu, stopQemu } from './vm';

export interface HttpCheck {
  guestPort: number;
  path?: string;
  /** The body must contain this text. */
  expect?: string;
  /** Expected status, 200 by default. (expectations.http is the same check, always 200.) */
  status?: number;
}

export interface BootCheckOptions {
  /** What a good boot looks like (console lines, an HTTP answer, poweroff, a time limit). */
  expectations?: BootExpectations;
  /** Whole-boot limit (else expectations.timeoutSeconds, else 300 s: TCG on busy cores is slow). */
  timeoutMs?: number;
  /** Without expectations: how long after init took over nothing may panic (default 10 s). */
  settleMs?: number;
  /** Once decided, QEMU runs until the console was quiet this long (default 4 s), at most lingerMs (default 30 s). */
  quietMs?: number;
  lingerMs?: number;
  /** Console bytes kept (default 4 MiB); past it a note says so and the rest is dropped. */
  consoleLimitBytes?: number;
  memoryMb?: number;
  cpus?: number;
  forwardPorts?: Array<{ host?: number; guest: number }>;
  httpCheck?: HttpCheck;
  /** Same as expectations.untilPoweroff: the guest must power itself off (e.g. cmdline oscompose.poweroff). */
  untilPoweroff?: boolean;
  signal?: AbortSignal;
  qemuBinary?: string;
  /**
   * After boot (and the HTTP check), type each `send` on the serial console and wait for
   * `expect` to appear in what follows (e.g. a shell from getty INSECURE=true).
   */
  consoleInteractions?: Array<{ send: string; expect: string }>;
  /**
   * Runs after boot and the checks above while the guest is still up (e.g. talk to a forwarded
   * port); a throw becomes a problem in the result. The time limit still applies.
   */
  whileRunning?: (vm: { forwardedPorts: Array<{ host: number; guest: number }>; console: () => string; signal: AbortSignal }) => Promise<void>;
  /** Called with console output as it arrives. */
  onConsole?: (chunk: string) => void;
}

export interface BootCheckResult {
  /** Where the boot's time went (firmware, kernel, init, each onboot container, services), from the timed console lines. */
  timeline?: BootTimeline;
  /** failed, booted, verified; `not checked` when QEMU (or its firmware) is missing. */
  verdict: Verdict;
  /** One sentence: the console line that decided it, or why it was not checked. */
  message: string;
  /** Each expectation (the user's and, with our init, the container one) met or not. */
  expectations: ExpectationResult[];
  /** The verdict is not failed and every console interaction / whileRunning passed. */
  ok: boolean;
  bootComplete: boolean;
  containers: ContainerStatus[];
  http?: { status: number; body: string };
  interactions?: Array<{ send: string; expect: string; ok: boolean }>;
  console: string;
  durationMs: number;
  forwardedPorts: Array<{ host: number; guest: number }>;
  /** What went wrong, one sentence per problem; absent when ok. */
  error?: string;
}

const DEFAULT_SETTLE_MS = 10_000;
const DEFAULT_QUIET_MS = 4_000;
const DEFAULT_LINGER_MS = 30_000;
const DEFAULT_CONSOLE_LIMIT = 4 << 20;

/** Whether a boot check can start QEMU here: the lookup bootCheck makes (a path, or PATH). */
export function qemuAvailable(qemu = 'qemu-system-x86_64'): boolean {
  return onPath(qemu);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
  });

export async function bootCheck(target: BootTarget, opts: BootCheckOptions = {}): Promise<BootCheckResult> {
  const started = Date.now();
  const legacyHttp = opts.httpCheck;
  const expectations: BootExpectations = {
    ...opts.expectations,
    ...(opts.untilPoweroff ? { untilPoweroff: true } : {}),
    // the older httpCheck option is the same probe as an HTTP expectation
    ...(legacyHttp && !opts.expectations?.http ? { http: { port: legacyHttp.guestPort, ...(legacyHttp.path ? { path: legacyHttp.path } : {}), ...(legacyHttp.expect !== undefined ? { expect: legacyHttp.expect } : {}) } } : {}),
  };
  const timeoutMs = opts.timeoutMs ?? (expectations.timeoutSeconds ? expectations.timeoutSeconds * 1000 : 300_000);
  const verdictOpts = { settleMs: opts.settleMs ?? DEFAULT_SETTLE_MS, timeoutMs };
  const quietMs = opts.quietMs ?? DEFAULT_QUIET_MS;
  const lingerMs = opts.lingerMs ?? DEFAULT_LINGER_MS;
  const consoleLimit = opts.consoleLimitBytes ?? DEFAULT_CONSOLE_LIMIT;
  const qemu = opts.qemuBinary ?? 'qemu-system-x86_64';
  const forwards: Array<{ host: number; guest: number }> = [];
  for (const f of opts.forwardPorts ?? []) forwards.push({ host: f.host ?? (await pickHostPort()), guest: f.guest });
  const hc = expectations.http;
  if (hc && !forwards.some((f) => f.guest === hc.port)) forwards.push({ host: await pickHostPort(), guest: hc.port });
  if (!onPath(qemu)) return notChecked(`${qemu} is not installed on this worker (apt-get install qemu-system-x86)`);
  for (const file of 'kernel' in target ? [target.kernel, target.initrd] : 'iso' in target ? [target.iso] : [target.disk]) {
    if (!existsSync(file)) return notChecked(`boot artifact ${file} does not exist`);
  }

  let scratch: string | undefined;
  let efiVars: string | undefined;
  if (firmwareOf(target) === 'efi') {
    if (!existsSync(OVMF_CODE)) return notChecked(`${OVMF_CODE} is not installed on this worker (apt-get install ovmf)`);
    scratch = await mkdtemp(join(tmpdir(), 'oscompose-boot-'));
    efiVars = join(scratch, 'OVMF_VARS.fd');
    await copyFile(OVMF_VARS, efiVars);
  }

  let console = '';
  const lines = new ConsoleLines();
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), stop.abort()), timeoutMs);

  const p = spawnQemu(qemu, qemuArgs(target, { memoryMb: opts.memoryMb ?? 1024, cpus: opts.cpus, forwards, efiVars }), 'oscompose-bootcheck');
  const t0 = Date.now();
  const now = () => Date.now() - t0;
  let spawnError: string | undefined;
  let stderr = '';
  let lastOutputAt = 0;
  const exited = new Promise<void>((resolve) => {
    p.once('error', (e) => {
      spawnError = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${qemu} is not installed on this worker (apt-get install qemu-system-x86)` : e.message;
      resolve();
    });
    p.once('exit', () => resolve());
  });
  const wake = new EventTarget();
  const poke = () => wake.dispatchEvent(new Event('data'));
  // A guest writes to its serial port as fast as it likes: what is kept (and judged, and
  // published) is bounded; decide() is asked at most every 100 ms while output streams in.
  const decoder = new StringDecoder('utf8');
  let kept = 0;
  let truncated = false;
  let pending: NodeJS.Timeout | undefined;
  let lastPoke = 0;
  const soon = () => {
    if (pending) return;
    pending = setTimeout(() => ((pending = undefined), (lastPoke = Date.now()), poke()), Math.max(0, 100 - (Date.now() - lastPoke)));
  };
  p.stdout!.on('data', (d: Buffer) => {
    lastOutputAt = now();
    if (truncated) return;
    const room = consoleLimit - kept;
    let s = decoder.write(d.length > room ? d.subarray(0, room) : d);
    kept += Math.min(d.length, room);
    if (d.length > room) {
      truncated = true;
      s += `\n[boot check: the console passed ${consoleLimit} bytes; the rest was not kept]\n`;
    }
    console += s;
    lines.push(s, lastOutputAt);
    opts.onConsole?.(s);
    soon();
  });
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  p.stdin!.on('error', () => {}); // qemu gone: nothing left to type into
  let qemuGone = false;
  void exited.then(() => {
    qemuGone = true;
    lines.end(now());
    poke();
  });
  // decide() also depends on time passing (the settle window): ask again twice a second
  const tick = setInterval(poke, 500);

  let httpSeen: BootObservation['http'];
  let http: BootCheckResult['http'];
  const observe = (): BootObservation => ({ lines: lines.lines, nowMs: now(), vmExited: qemuGone, timedOut, ...(httpSeen ? { http: httpSeen } : {}) });
  const ask = (): Decision => decide(observe(), expectations, verdictOpts);

  const waitFor = (cond: () => boolean, withinMs?: number) =>
    new Promise<boolean>((resolve) => {
      const check = () => {
        if (cond()) return done(true);
        if (qemuGone || stop.signal.aborted) return done(false);
      };
      const t = withinMs === undefined ? undefined : setTimeout(() => done(false), withinMs);
      const done = (v: boolean) => {
        clearTimeout(t);
        wake.removeEventListener('data', check);
        stop.signal.removeEventListener('abort', check);
        resolve(v);
      };
      wake.addEventListener('data', check);
      stop.signal.addEventListener('abort', check);
      check();
    });

  // The HTTP expectation: probe the forwarded port once a second until it answers as asked.
  const probing = hc
    ? (async () => {
        const port = forwards.find((f) => f.guest === hc.port)!.host;
        const url = `http://127.0.0.1:${port}${hc.path ?? '/'}`;
        const want = legacyHttp && !opts.expectations?.http ? (legacyHttp.status ?? 200) : 200;
        while (!stop.signal.aborted && !qemuGone) {
          try {
            const res = await fetch(url, { signal: AbortSignal.any([stop.signal, AbortSignal.timeout(5000)]) });
            http = { status: res.status, body: await res.text() };
            const good = http.status === want && (hc.expect === undefined || http.body.includes(hc.expect));
            httpSeen = good ? { met: true, atMs: now(), detail: `answered ${http.status}` } : { met: false, detail: `answered ${http.status}${hc.expect !== undefined && !http.body.includes(hc.expect) ? `, body lacks "${hc.expect}"` : ''}` };
            poke();
            if (good) return;
          } catch (e) {
            httpSeen = { met: false, detail: `${url}: ${(e as Error).message}` };
          }
          await sleep(1000, stop.signal);
        }
      })()
    : undefined;

  let interactionsOut: BootCheckResult['interactions'];
  const problems: string[] = [];
  let decision: Decision = ask();
  try {
    await waitFor(() => (decision = ask()).final);
    decision = ask();
    const good = decision.final && decision.verdict !== 'failed' && !qemuGone && !stop.signal.aborted;
    const interactions: NonNullable<BootCheckResult['interactions']> = [];
    for (const it of good ? (opts.consoleInteractions ?? []) : []) {
      // The shell may not have opened the serial port yet (input is dropped until then): type
      // again every few seconds until the answer shows up or time runs out.
      const mark = console.length;
      let ok = false;
      while (!ok && !stop.signal.aborted && !qemuGone) {
        p.stdin!.write(it.send);
        ok = await waitFor(() => console.slice(mark).includes(it.expect), 5000);
      }
      interactions.push({ ...it, ok });
      if (!ok) {
        problems.push(`typed ${JSON.stringify(it.send)} on the console but never saw ${JSON.stringify(it.expect)}`);
        break;
      }
    }
    if (interactions.length) interactionsOut = interactions;
    if (good && opts.whileRunning && !qemuGone) {
      try {
        await opts.whileRunning({ forwardedPorts: forwards, console: () => console, signal: stop.signal });
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    // Decided: keep the VM up until its console is quiet (the containers' later output, a panic's
    // stack trace belong to the console a user downloads), never past the time limit.
    // Asked to power off: the shutdown's output too, however slow (a failed boot still shuts down).
    if (expectations.untilPoweroff) await waitFor(() => false);
    const lingerUntil = now() + lingerMs;
    await waitFor(() => now() - lastOutputAt >= quietMs || now() >= lingerUntil);
  } finally {
    clearTimeout(timer);
    clearTimeout(pending);
    clearInterval(tick);
    opts.signal?.removeEventListener('abort', onAbort);
    stop.abort();
    await stopQemu(p);
    await probing;
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }

  lines.end(now());
  if (!decision.final) decision = decide({ ...observe(), timedOut: timedOut || !qemuGone }, expectations, verdictOpts);
  const summary = parseConsole(console.endsWith('\n') ? console : console + '\n');
  let verdict: Verdict = decision.final ? decision.verdict : 'failed';
  let message = decision.final ? decision.message : 'the boot check stopped before a verdict';
  if (spawnError) return { ...notChecked(spawnError), console };
  if (opts.signal?.aborted) {
    verdict = 'failed';
    message = 'boot check aborted';
  } else if (verdict === 'failed' && qemuGone && stderr.trim() && !summary.bootComplete) {
    message += `; qemu: ${stderr.trim().split('\n').pop()}`;
  }
  if (verdict === 'failed') problems.unshift(message);
  return {
    verdict,
    message,
    expectations: decision.expectations,
    ok: verdict !== 'failed' && problems.length === 0,
    bootComplete: summary.bootComplete,
    containers: summary.containers,
    ...(http ? { http } : {}),
    ...(interactionsOut ? { interactions: interactionsOut } : {}),
    console,
    timeline: bootTimeline(lines.lines),
    durationMs: Date.now() - started,
    forwardedPorts: forwards,
    ...(problems.length ? { error: [...new Set(problems)].join('; ') } : {}),
  };

  function notChecked(reason: string): BootCheckResult {
    return { verdict: 'not checked', message: reason, expectations: [], ok: false, bootComplete: false, containers: [], console: '', durationMs: Date.now() - started, forwardedPorts: forwards, error: reason };
  }
}
