// Pure and browser-safe: where a boot's time went, from its timed console lines (each timed by
// its arrival on the host, ms since QEMU started): firmware until the kernel's first line, the
// kernel until it runs the init, our init's stage 1 until it reports "init … started", each onboot
// container until it exits, the services until boot complete.
import { parseEvent } from './consoleProtocol';
import type { ConsoleLine } from './verdict';

export type TimelinePhase = 'firmware' | 'kernel' | 'init' | 'onboot' | 'services';

/** One span of the boot: [startMs, endMs] since QEMU started. */
export interface TimelineSpan {
  phase: TimelinePhase;
  /** firmware, kernel, init, the onboot container's name (000-dhcpcd), services */
  label: string;
  startMs: number;
  endMs: number;
  /** The console line that ended it. */
  line?: number;
}

export interface BootTimeline {
  spans: TimelineSpan[];
  /** When "boot complete" was printed; null when it was not. */
  completeMs: number | null;
  /** Each service and when it was reported started, in order. */
  services: { name: string; atMs: number }[];
}

const MARK = 'oscompose: ';
/** The kernel hands over to userspace: "Run /init as init process" (or /sbin/init …). */
const RUN_INIT = /Run \S+ as init process/;
const KERNEL_START = /Linux version \d|^\[\s*0\.0+\]/;

export function bootTimeline(lines: ConsoleLine[]): BootTimeline {
  const spans: TimelineSpan[] = [];
  const services: BootTimeline['services'] = [];
  let completeMs: number | null = null;
  let at = 0;
  const close = (phase: TimelinePhase, label: string, l: ConsoleLine) => {
    spans.push({ phase, label, startMs: at, endMs: l.atMs, line: l.n });
    at = l.atMs;
  };
  let kernelAt: number | undefined;
  let handedOver = false;
  let initStarted = false;
  for (const l of lines) {
    if (kernelAt === undefined && KERNEL_START.test(l.text)) {
      kernelAt = l.atMs;
      close('firmware', 'firmware', l);
      continue;
    }
    if (!handedOver && kernelAt !== undefined && RUN_INIT.test(l.text)) {
      handedOver = true;
      close('kernel', 'kernel', l);
      continue;
    }
    const i = l.text.lastIndexOf(MARK);
    if (i < 0) continue;
    const e = parseEvent(l.text.slice(i + MARK.length), l.n);
    if (e.type === 'init' && !initStarted) {
      initStarted = true;
      close('init', 'init', l);
    } else if (e.type === 'container' && e.phase === 'onboot' && (e.status === 'exited' || e.status === 'error')) {
      close('onboot', e.name, l);
    } else if (e.type === 'container' && e.phase === 'service' && e.status === 'started' && completeMs === null) {
      services.push({ name: e.name, atMs: l.atMs });
    } else if (e.type === 'boot-complete' && completeMs === null) {
      completeMs = l.atMs;
      // The services span runs until boot complete: the init reports it once the last service is up.
      if (services.length) close('services', 'services', l);
    }
  }
  return { spans, completeMs, services };
}
