// A QEMU process for one boot target, with its serial console as a byte stream both ways: the
// boot check reads it, a testdrive relays it to a browser. QEMU always runs under a watchdog, so
// no QEMU outlives the process that started it, however that process ends.

import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OVMF_CODE, OVMF_VARS, firmwareOf, qemuArgs, type BootTarget, type PortForward } from './qemuArgs';

export function onPath(bin: string): boolean {
  if (bin.includes('/')) return existsSync(bin);
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, bin)));
}

// A free host port for a forward: the OS hands out an unused one; QEMU binds it a moment later.
export async function pickHostPort(): Promise<number> {
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

// Every qemu we started, so a crashing process does not leave one behind.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

/** Spawns `qemu args…` under the watchdog with piped stdio; tracked until it exits. */
export function spawnQemu(qemu: string, args: string[], name = 'oscompose-qemu'): ChildProcess {
  const p = spawn('/bin/sh', ['-c', WATCHDOG, name, String(process.pid), qemu, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(p);
  p.once('exit', () => running.delete(p));
  p.once('error', () => running.delete(p));
  return p;
}

/** TERM, then KILL after 5 s; resolves once it has exited. */
export async function stopQemu(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
  running.delete(p);
}

export interface VmOptions {
  memoryMb: number;
  cpus?: number;
  /** Guest TCP ports to forward; each gets a free port on the host's 127.0.0.1. */
  guestPorts?: number[];
  qemuBinary?: string;
}

export interface Vm {
  /** The host side of each forwarded guest port (127.0.0.1). */
  forwards: PortForward[];
  /** Types on the serial console. */
  write(data: string | Buffer): void;
  /** Console output as it arrives (raw bytes: a multi-byte character may be split). */
  onOutput(listener: (chunk: Buffer) => void): void;
  /** Resolves when QEMU has exited, with its exit code (null when killed) and the tail of its stderr. */
  exited: Promise<{ code: number | null; stderr: string }>;
  /** Stops QEMU (TERM, then KILL) and removes its scratch files. Safe to call twice. */
  stop(): Promise<void>;
}

export class VmStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VmStartError';
  }
}

/** Starts QEMU for `target`; throws VmStartError (what to install, which file is missing) before it starts. */
export async function startVm(target: BootTarget, opts: VmOptions): Promise<Vm> {
  const qemu = opts.qemuBinary ?? 'qemu-system-x86_64';
  if (!onPath(qemu)) throw new VmStartError(`${qemu} is not installed on this worker (apt-get install qemu-system-x86)`);
  for (const file of 'kernel' in target ? [target.kernel, target.initrd] : 'iso' in target ? [target.iso] : [target.disk]) {
    if (!existsSync(file)) throw new VmStartError(`boot artifact ${file} does not exist`);
  }
  let scratch: string | undefined;
  let efiVars: string | undefined;
  if (firmwareOf(target) === 'efi') {
    if (!existsSync(OVMF_CODE)) throw new VmStartError(`${OVMF_CODE} is not installed on this worker (apt-get install ovmf)`);
    scratch = await mkdtemp(join(tmpdir(), 'oscompose-vm-'));
    efiVars = join(scratch, 'OVMF_VARS.fd');
    await copyFile(OVMF_VARS, efiVars);
  }
  const forwards: PortForward[] = [];
  for (const guest of opts.guestPorts ?? []) forwards.push({ host: await pickHostPort(), guest });
  const p = spawnQemu(qemu, qemuArgs(target, { memoryMb: opts.memoryMb, cpus: opts.cpus, forwards, efiVars }), 'oscompose-vm');
  let stderr = '';
  p.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  p.stdin!.on('error', () => {}); // qemu gone: nothing left to type into
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    p.once('error', (e) => resolve({ code: null, stderr: e.message }));
    p.once('exit', (code) => resolve({ code, stderr }));
  });
  let stopped: Promise<void> | undefined;
  return {
    forwards,
    write: (data) => void (p.stdin!.writable && p.stdin!.write(data)),
    onOutput: (listener) => void p.stdout!.on('data', listener),
    exited,
    stop() {
      stopped ??= (async () => {
        await stopQemu(p);
        if (scratch) await rm(scratch, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
