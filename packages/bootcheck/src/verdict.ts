// Pure: the boot verdict for any init, from the serial console seen so far (each line with the
// time it arrived), whether the VM is still up and what the user expects. bootCheck() asks after
// every chunk of console output until the answer is final. LinuxKit's init, ours or a shell
// script: all can be `booted`; ours also reports each container, which is an expectation that is
// always on (docs/pipeline.md "Boot verdicts").

import { bootProblems, parseConsole, stripTerminalEscapes } from './consoleProtocol';
import { matches, parseExpectation, type BootExpectations } from './expectations';

export type Verdict = 'failed' | 'booted' | 'verified' | 'not checked';

export interface ConsoleLine {
  /** 1-based line number in the console. */
  n: number;
  text: string;
  /** Milliseconds since the VM was started. */
  atMs: number;
}

export interface ExpectationResult {
  kind: 'console' | 'http' | 'containers' | 'poweroff';
  /** What was expected, as the user wrote it (or what the boot check always expects). */
  expectation: string;
  met: boolean;
  /** The console line that met it. */
  line?: ConsoleLine;
  /** When it was met (ms since the VM started), also for HTTP and poweroff. */
  atMs?: number;
  /** Why it is not met, or what answered. */
  detail?: string;
}

export interface BootObservation {
  /** Complete console lines so far. */
  lines: ConsoleLine[];
  nowMs: number;
  /** QEMU has exited (poweroff, reboot with -no-reboot, a crash). */
  vmExited: boolean;
  /** The time limit passed (QEMU is being stopped). */
  timedOut: boolean;
  /** The HTTP probe's latest result; absent while it has not answered as expected. */
  http?: { met: boolean; atMs?: number; detail: string };
}

export interface VerdictOptions {
  /** How long nothing may panic after init took over before a boot without expectations is `booted`. */
  settleMs: number;
  timeoutMs: number;
}

export type Decision =
  | { final: false; expectations: ExpectationResult[] }
  | {
      final: true;
      verdict: Exclude<Verdict, 'not checked'>;
      /** One sentence, quoting the console line that decided it. */
      message: string;
      expectations: ExpectationResult[];
      decidingLine?: ConsoleLine;
      /** When init took over (absent when it never did). */
      handover?: ConsoleLine;
    };

// The kernel gave up: these lines end any boot, whatever was expected.
const PANIC = [/Kernel panic - not syncing/, /\bOops(?::| -)/, /BUG: (?:unable to handle|kernel NULL pointer)/, /general protection fault/];
// The kernel handed over to an init: printed by init/main.c (at KERN_INFO: `quiet` hides them),
// or our init's first protocol line.
const HANDOVER = [/Run \S+ as init process/, /Freeing unused kernel (?:image )?(?:\([^)]*\) )?memory/, /oscompose: init \S+ started/];
// A kernel message (printk time stamp, on in every distribution kernel we know) or the banner.
const KERNEL_LINE = /^\s*\[\s*\d+\.\d+\]|^Linux version /;
// Firmware and boot loaders talk on the serial console before the kernel does: SeaBIOS, iPXE,
// OVMF, ISOLINUX/SYSLINUX, GRUB, systemd-boot, the EFI stub and the x86 decompressor.
const FIRMWARE_LINE = /SeaBIOS|iPXE|\bBooting (?:from|the kernel|`)|Boot failed|No bootable device|ISOLINUX|SYSLINUX|EXTLINUX|GRUB|grub>|Loading |BdsDxe|EFI stub|UEFI|Shell>|systemd-boot|Press (?:any|ESC|\[)|Decompressing Linux|Parsing ELF|Probing EDD|early console/i;
// iPXE (netboot) talks at length between its banner and the kernel: features, the link, DHCP, and
// one line per file it fetches; none of that is userspace.
const IPXE_LINE = /^Features: |^net\d+: |^\s*\[Link:|Configuring \(net|^Next server: |^Filename: |^(?:https?|tftp):\/\/\S+\.{3}|\[script\]\s*$|\.{3} ?ok\s*$/;

/**
 * Where init took over: the kernel's handover line, our init's first line, or, when the kernel
 * is quiet (`quiet`, `loglevel=`: its handover lines are hidden), the first console line that
 * neither the kernel nor the firmware wrote — userspace printed it.
 */
export function handoverLine(lines: ConsoleLine[]): ConsoleLine | undefined {
  return lines.find((l) => HANDOVER.some((re) => re.test(l.text))) ?? lines.find((l) => isUserspaceLine(l.text));
}

function isUserspaceLine(text: string): boolean {
  const t = text.trim();
  // a line of punctuation or a lone character is screen drawing (GRUB menus), not a program's output
  return /[A-Za-z0-9]{2}/.test(t) && !KERNEL_LINE.test(t) && !FIRMWARE_LINE.test(t) && !IPXE_LINE.test(t) && !isPanic(t);
}

export const OUR_INIT_EXPECTATION = 'every onboot container exited 0 and every service started';

export function isPanic(text: string): boolean {
  return PANIC.some((re) => re.test(text));
}

/** Splits console output into timed lines as it arrives; the last partial line waits for its newline. */
export class ConsoleLines {
  readonly lines: ConsoleLine[] = [];
  private partial = '';
  private partialAt = 0;

  /** Each line is timed by the arrival of its first character. */
  push(chunk: string, atMs: number): void {
    let rest = chunk;
    for (;;) {
      if (!this.partial) this.partialAt = atMs;
      const nl = rest.indexOf('\n');
      if (nl < 0) {
        this.partial += rest;
        return;
      }
      this.add(this.partial + rest.slice(0, nl), this.partialAt);
      this.partial = '';
      rest = rest.slice(nl + 1);
      if (!rest) return;
    }
  }

  /** The VM is gone: its last line counts even without a newline. */
  end(atMs: number): void {
    if (this.partial) this.add(this.partial, this.partialAt ?? atMs);
    this.partial = '';
  }

  private add(raw: string, atMs: number): void {
    const text = stripTerminalEscapes(raw).replace(/\r+$/, '');
    this.lines.push({ n: this.lines.length + 1, text, atMs });
  }
}

function quote(l: ConsoleLine): string {
  return `"${l.text.trim().slice(0, 300)}" (console line ${l.n}, ${(l.atMs / 1000).toFixed(1)} s)`;
}

function lastLines(lines: ConsoleLine[], k = 3): string {
  const tail = lines.filter((l) => l.text.trim()).slice(-k);
  return tail.length ? `last console lines: ${tail.map((l) => `"${l.text.trim().slice(0, 200)}"`).join(' / ')}` : 'the console stayed empty';
}

/** The verdict so far; `final: true` once nothing later could change it. */
export function decide(obs: BootObservation, expectations: BootExpectations | undefined, o: VerdictOptions): Decision {
  const { lines } = obs;
  const over = obs.vmExited || obs.timedOut;
  const handover = handoverLine(lines);
  const results: ExpectationResult[] = [];

  for (const text of expectations?.expect ?? []) {
    const p = parseExpectation(text);
    if (!p.ok) {
      results.push({ kind: 'console', expectation: text, met: false, detail: p.error });
      continue;
    }
    const line = lines.find((l) => matches(p.matcher, l.text));
    results.push(line ? { kind: 'console', expectation: text, met: true, line, atMs: line.atMs } : { kind: 'console', expectation: text, met: false, detail: 'no console line matched' });
  }
  if (expectations?.http) {
    const h = expectations.http;
    const label = `HTTP ${h.path ?? '/'} on guest port ${h.port}${h.expect !== undefined ? ` answers 200 with "${h.expect}"` : ' answers 200'}`;
    results.push(obs.http?.met ? { kind: 'http', expectation: label, met: true, atMs: obs.http.atMs, detail: obs.http.detail } : { kind: 'http', expectation: label, met: false, detail: obs.http?.detail ?? 'no answer yet' });
  }

  // Our init speaks the console protocol: every container must have done its part.
  const protocol = parseConsole(lines.map((l) => l.text).join('\n') + '\n');
  let containerFailure: string | undefined;
  if (protocol.initStarted) {
    const problems = bootProblems(protocol).filter((p) => !p.startsWith('init started but never'));
    const complete = lines.find((l) => /oscompose: boot complete/.test(l.text));
    if (problems.length) containerFailure = problems.join('; ');
    results.push(
      complete && !problems.length
        ? { kind: 'containers', expectation: OUR_INIT_EXPECTATION, met: true, line: complete, atMs: complete.atMs }
        : { kind: 'containers', expectation: OUR_INIT_EXPECTATION, met: false, detail: containerFailure ?? 'init never printed "boot complete"' },
    );
  }

  if (expectations?.untilPoweroff) {
    results.push(obs.vmExited ? { kind: 'poweroff', expectation: 'the system powers itself off', met: true, atMs: obs.nowMs } : { kind: 'poweroff', expectation: 'the system powers itself off', met: false, detail: 'still running' });
  }

  const done = (verdict: 'failed' | 'booted' | 'verified', message: string, decidingLine?: ConsoleLine): Decision => ({
    final: true,
    verdict,
    message,
    expectations: results,
    ...(decidingLine ? { decidingLine } : {}),
    ...(handover ? { handover } : {}),
  });

  const panic = lines.find((l) => isPanic(l.text));
  if (panic) {
    // An initramfs without /init: the kernel frees its init memory, then looks for a root
    // filesystem to mount instead and panics; no init ever started.
    const why = /No working init found/.test(panic.text)
      ? 'the kernel found no init to run'
      : /VFS: Unable to mount root fs/.test(panic.text)
        ? 'the kernel found no /init in the initramfs and no root filesystem to mount'
        : handover && handover.n < panic.n
        ? 'the kernel panicked after init started'
        : 'the kernel panicked before any userspace ran';
    return done('failed', `${why}: ${quote(panic)}`, panic);
  }
  const initError = protocol.initErrors[0];
  if (initError) {
    const l = lines.find((x) => x.text.includes(`oscompose: init error ${initError}`));
    return done('failed', `init could not go on: ${l ? quote(l) : `"${initError}"`}`, l);
  }
  if (containerFailure) {
    const l = [...lines].reverse().find((x) => /oscompose: (onboot|onshutdown|service) \S+ (exit (?!0\s*$)-?\d+|error)/.test(x.text));
    return done('failed', `${containerFailure}${l ? `: ${quote(l)}` : ''}`, l);
  }

  if (results.length) {
    const unmet = results.filter((r) => !r.met);
    if (!unmet.length) {
      const last = results.filter((r) => r.line).sort((a, b) => b.line!.n - a.line!.n)[0]?.line;
      return done('verified', `every expectation met (${results.length})${last ? `, the last at ${(last.atMs / 1000).toFixed(1)} s` : ''}`, last);
    }
    if (!over) return { final: false, expectations: results };
    const names = unmet.map((r) => `${r.kind === 'console' ? `"${r.expectation}"` : r.expectation}${r.detail && r.kind !== 'console' ? ` (${r.detail})` : ''}`).join(', ');
    const when = obs.timedOut ? `within ${Math.round(o.timeoutMs / 1000)} s` : `before the VM stopped after ${(obs.nowMs / 1000).toFixed(1)} s`;
    const tail = lines.filter((l) => l.text.trim()).at(-1);
    return done('failed', `expectation${unmet.length > 1 ? 's' : ''} not met ${when}: ${names}; ${lastLines(lines)}`, tail);
  }

  // Nothing expected: the kernel reached an init and nothing panicked for the settle window.
  if (handover && obs.nowMs - handover.atMs >= o.settleMs && !obs.vmExited) {
    return done('booted', `init took over: ${quote(handover)}, and nothing panicked in the ${Math.round(o.settleMs / 1000)} s after`, handover);
  }
  if (!over) return { final: false, expectations: results };
  const tail = lines.filter((l) => l.text.trim()).at(-1);
  if (!handover) {
    const why = obs.timedOut ? `no userspace reached within ${Math.round(o.timeoutMs / 1000)} s (the kernel never handed over to an init)` : `the VM stopped after ${(obs.nowMs / 1000).toFixed(1)} s before any userspace ran`;
    return done('failed', `${why}; ${lastLines(lines)}`, tail);
  }
  if (obs.timedOut) return done('booted', `init took over: ${quote(handover)}, and nothing panicked until the time limit`, handover);
  return done('failed', `the VM stopped ${((obs.nowMs - handover.atMs) / 1000).toFixed(1)} s after init took over (set untilPoweroff if it is meant to power off); ${lastLines(lines)}`, tail);
}
