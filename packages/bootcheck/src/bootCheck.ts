// Boots an artifact in QEMU, reads the init's console protocol and (optionally) checks that a
// service answers HTTP through a forwarded port. QEMU is always stopped before this returns.

import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootProblems, parseConsole, type ContainerStatus } from './consoleProtocol';
import { OVMF_CODE, OVMF_VARS, firmwareOf, qemuArgs, type BootTarget } from './qemuArgs';

export interface HttpCheck {
  guestPort: number;
  path?: string;
  /** The body must contain this text. */
  expect?: string;
  /** Expected status, 200 by default. */
  status?: number;
}

export interface BootCheckOptions {
  /** Whole-boot limit; generous by default because TCG on busy cores is slow. */
  timeoutMs?: number;
  memoryMb?: number;
  cpus?: number;
  forwardPorts?: Array<{ host?: number; guest: number }>;
  httpCheck?: HttpCheck;
  /** Wait for the guest to power off by itself (e.g. cmdline oscompose.poweroff) before stopping. */
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

function onPath(bin: string): boolean {
  if (bin.includes('/')) return existsSync(bin);
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, bin)));
}

/** Whether a boot check can start QEMU here: the lookup bootCheck makes (a path, or PATH). */
export function qemuAvailable(qemu = 'qemu-system-x86_64'): boolean {
  return onPath(qemu);
}

// A free host port for a forward, picked here (not the test helper of the same job): the OS
// hands out an unused one; QEMU binds it a moment later.
async function pickHostPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// qemu runs under a small sh watchdog: when this process dies without cleaning up (SIGKILL, a
// test runner killing its worker), the watchdog kills qemu within a second or two; TERM to the
// watchdog stops qemu at once. fd 3 carries our stdin (the serial console) past sh, which
// gives background jobs /dev/null as stdin.
const WATCHDOG = [
  'parent=$1; shift',
  'exec 3<&0',
  '"$@" <&3 3<&- & q=$!',
  'exec 3<&-',
  "trap 'kill $q 2>/dev/null' TERM INT",
  '( while kill -0 "$parent" 2>/dev/null && kill -0 "$q" 2>/dev/null; do sleep 1; done; kill -9 "$q" 2>/dev/null ) </dev/null >/dev/null 2>&1 & w=$!',
  'wait "$q"; rc=$?',
  // a trapped TERM interrupts the first wait: wait again for qemu to be gone
  'kill -0 "$q" 2>/dev/null && { wait "$q"; rc=$?; }',
  'kill "$w" 2>/dev/null',
  'exit $rc',
].join('\n');

// Every qemu we started, so a crashing test process does not leave one behind.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

async function stopQemu(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
  });

export async function bootCheck(target: BootTarget, opts: BootCheckOptions = {}): Promise<BootCheckResult> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const qemu = opts.qemuBinary ?? 'qemu-system-x86_64';
  const forwards: Array<{ host: number; guest: number }> = [];
  for (const f of opts.forwardPorts ?? []) forwards.push({ host: f.host ?? (await pickHostPort()), guest: f.guest });
  if (opts.httpCheck && !forwards.some((f) => f.guest === opts.httpCheck!.guestPort)) {
    forwards.push({ host: await pickHostPort(), guest: opts.httpCheck.guestPort });
  }
  if (!onPath(qemu)) return failed(`${qemu} not found; apt-get install qemu-system-x86`);
  for (const file of 'kernel' in target ? [target.kernel, target.initrd] : 'iso' in target ? [target.iso] : [target.disk]) {
    if (!existsSync(file)) return failed(`boot artifact ${file} does not exist`);
  }

  let scratch: string | undefined;
  let efiVars: string | undefined;
  if (firmwareOf(target) === 'efi') {
    if (!existsSync(OVMF_CODE)) return failed(`${OVMF_CODE} not found; apt-get install ovmf`);
    scratch = await mkdtemp(join(tmpdir(), 'oscompose-boot-'));
    efiVars = join(scratch, 'OVMF_VARS.fd');
    await copyFile(OVMF_VARS, efiVars);
  }

  let console = '';
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => stop.abort(), timeoutMs);

  const p = spawn('/bin/sh', ['-c', WATCHDOG, 'oscompose-bootcheck', String(process.pid), qemu, ...qemuArgs(target, { memoryMb: opts.memoryMb ?? 1024, cpus: opts.cpus, forwards, efiVars })], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(p);
  let spawnError: string | undefined;
  let stderr = '';
  const exited = new Promise<void>((resolve) => {
    p.once('error', (e) => {
      spawnError = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${qemu} not found; apt-get install qemu-system-x86` : e.message;
      resolve();
    });
    p.once('exit', () => resolve());
  });
  const wake = new EventTarget();
  p.stdout!.on('data', (d: Buffer) => {
    const s = d.toString('utf8');
    console += s;
    opts.onConsole?.(s);
    wake.dispatchEvent(new Event('data'));
  });
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  p.stdin!.on('error', () => {}); // qemu gone: nothing left to type into
  let qemuGone = false;
  void exited.then(() => {
    qemuGone = true;
    wake.dispatchEvent(new Event('data'));
  });

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

  let http: BootCheckResult['http'];
  let interactionsOut: BootCheckResult['interactions'];
  const problems: string[] = [];
  try {
    const booted = await waitFor(() => parseConsole(console).bootComplete);
    if (booted && opts.httpCheck) {
      const hc = opts.httpCheck;
      const port = forwards.find((f) => f.guest === hc.guestPort)!.host;
      const url = `http://127.0.0.1:${port}${hc.path ?? '/'}`;
      let last = '';
      while (!stop.signal.aborted && !qemuGone) {
        try {
          const res = await fetch(url, { signal: AbortSignal.any([stop.signal, AbortSignal.timeout(5000)]) });
          http = { status: res.status, body: await res.text() };
          if (http.status === (hc.status ?? 200) && (hc.expect === undefined || http.body.includes(hc.expect))) break;
          last = `answered ${http.status}`;
        } catch (e) {
          last = (e as Error).message;
        }
        await sleep(1000, stop.signal);
      }
      const good = http && http.status === (hc.status ?? 200) && (hc.expect === undefined || http.body.includes(hc.expect));
      if (!good) problems.push(`HTTP check of ${url} (guest port ${hc.guestPort}) failed: ${http ? `status ${http.status}${hc.expect !== undefined && !http.body.includes(hc.expect) ? `, body lacks "${hc.expect}"` : ''}` : last || 'no answer'}`);
    }
    const interactions: NonNullable<BootCheckResult['interactions']> = [];
    for (const it of booted ? (opts.consoleInteractions ?? []) : []) {
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
    if (booted && opts.whileRunning && !qemuGone) {
      try {
        await opts.whileRunning({ forwardedPorts: forwards, console: () => console, signal: stop.signal });
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    if (booted && opts.untilPoweroff) await waitFor(() => qemuGone);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    await stopQemu(p);
    running.delete(p);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }

  const summary = parseConsole(console.endsWith('\n') ? console : console + '\n');
  if (spawnError) problems.unshift(spawnError);
  if (opts.signal?.aborted) problems.unshift('boot check aborted');
  else if (stop.signal.aborted && !summary.bootComplete) problems.unshift(`no "boot complete" within ${Math.round(timeoutMs / 1000)}s`);
  if (qemuGone && !spawnError && !summary.bootComplete && stderr.trim()) problems.push(`qemu: ${stderr.trim().split('\n').pop()}`);
  problems.push(...bootProblems(summary).filter((m) => !(m.startsWith('init ') && problems.some((x) => x.startsWith('no "boot complete"')))));
  return {
    ok: problems.length === 0,
    bootComplete: summary.bootComplete,
    containers: summary.containers,
    ...(http ? { http } : {}),
    ...(interactionsOut ? { interactions: interactionsOut } : {}),
    console,
    durationMs: Date.now() - started,
    forwardedPorts: forwards,
    ...(problems.length ? { error: [...new Set(problems)].join('; ') } : {}),
  };

  function failed(error: string): BootCheckResult {
    return { ok: false, bootComplete: false, containers: [], console: '', durationMs: Date.now() - started, forwardedPorts: forwards, error };
  }
}
