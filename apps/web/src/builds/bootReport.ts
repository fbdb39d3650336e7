// Pure helpers of the build page's boot check: how a verdict looks, when an expectation was met,
// and searching a boot console (text, or /regex/flags as in the expectations).

import { parseExpectation, matches } from '@oscompose/bootcheck/expectations';
import type { ExpectationResult, Verdict } from '../api-client/types';

export type VerdictTone = 'success' | 'primary' | 'danger' | 'neutral';

/** verified: everything asked was seen; booted: a clean handover, nothing asked; failed; not checked. */
export function verdictTone(v: Verdict): VerdictTone {
  if (v === 'verified') return 'success';
  if (v === 'booted') return 'primary';
  if (v === 'failed') return 'danger';
  return 'neutral';
}

export function formatAt(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "at 3.2 s, line 141" for a met expectation; null when it has no time (unmet). */
export function whenMet(r: ExpectationResult): string | null {
  if (!r.met) return null;
  const at = r.line?.atMs ?? r.atMs;
  const parts = [at !== undefined ? `at ${formatAt(at)}` : null, r.line ? `line ${r.line.n}` : null].filter(Boolean);
  return parts.length ? parts.join(', ') : 'met';
}

// Colours and cursor moves the guest printed; the console file keeps them, the page does not.
const TERMINAL_ESCAPE = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\x1b[=>]/g;

/** The console file as lines numbered like the verdict's (1-based, escapes and CR dropped). */
export function consoleLines(text: string): string[] {
  const lines = text.split('\n').map((l) => l.replace(TERMINAL_ESCAPE, '').replace(/\r+$/, ''));
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export type ConsoleQuery = { ok: true; test(line: string): boolean; ranges(line: string): [number, number][] } | { ok: false; error: string };

/** A search box's text as a matcher: /regex/flags like an expectation, anything else case-insensitive text. */
export function consoleQuery(q: string): ConsoleQuery | null {
  if (!q) return null;
  const p = parseExpectation(q);
  if (!p.ok) return { ok: false, error: p.error };
  const m = p.matcher;
  if (m.kind === 'regex') {
    const global = new RegExp(m.source, m.flags.includes('g') ? m.flags : `${m.flags}g`);
    return {
      ok: true,
      test: (line) => matches(m, line),
      ranges: (line) => {
        const out: [number, number][] = [];
        global.lastIndex = 0;
        for (let r = global.exec(line); r; r = global.exec(line)) {
          if (r[0] === '') {
            global.lastIndex++;
            continue;
          }
          out.push([r.index, r.index + r[0].length]);
        }
        return out;
      },
    };
  }
  const needle = m.text.toLowerCase();
  return {
    ok: true,
    test: (line) => line.toLowerCase().includes(needle),
    ranges: (line) => {
      const out: [number, number][] = [];
      const hay = line.toLowerCase();
      for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) out.push([i, i + needle.length]);
      return out;
    },
  };
}

/** A line cut into plain and matching parts, for <mark>. */
export function highlight(line: string, ranges: [number, number][]): { text: string; match: boolean }[] {
  const out: { text: string; match: boolean }[] = [];
  let at = 0;
  for (const [s, e] of ranges) {
    if (s > at) out.push({ text: line.slice(at, s), match: false });
    out.push({ text: line.slice(s, e), match: true });
    at = e;
  }
  if (at < line.length || !out.length) out.push({ text: line.slice(at), match: false });
  return out;
}
