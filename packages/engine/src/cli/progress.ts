// Build events on the terminal: a redrawn progress bar on a TTY, plain lines otherwise (CI logs).
import type { BuildEvent } from '../outputs/types';

export function progressPrinter(out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, quiet = false) {
  const tty = Boolean(out.isTTY);
  let barShown = false;
  const clear = () => {
    if (barShown) out.write('\r\x1b[2K');
    barShown = false;
  };
  return {
    event(e: BuildEvent) {
      if (quiet && e.type !== 'artifact' && e.level !== 'error') return;
      // Byte counts inside a section (no total) are for live UIs; the bar counts sections.
      if (e.type === 'progress' && e.total === undefined) return;
      if (tty && e.type === 'progress' && e.total) {
        const width = Math.max(10, Math.min(40, (out.columns ?? 80) - 50));
        const done = Math.round(((e.done ?? 0) / e.total) * width);
        const msg = (e.message ?? '').slice(0, Math.max(0, (out.columns ?? 80) - width - 25));
        clear();
        out.write(`${(e.stage ?? '').padEnd(8)} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${e.done}/${e.total} ${msg}`);
        barShown = true;
        return;
      }
      clear();
      if (e.type === 'stage') out.write(`${e.stage}${e.total !== undefined ? ` (${e.total})` : ''}\n`);
      else if (e.type === 'progress') out.write(`  ${e.stage}: ${e.done}/${e.total} ${e.message ?? ''}\n`);
      else if (e.type === 'artifact') out.write(`  ${e.message ?? e.file}\n`);
      else if (e.type === 'log' && (e.level !== 'info' || !tty)) out.write(`  ${e.level === 'info' ? '' : `${e.level}: `}${e.message}\n`);
    },
    done() {
      clear();
    },
  };
}
