// The composer's Boot check panel as plain data: the form's fields (strings, as inputs hold them)
// ↔ BootExpectations, validated with the schema the API and the worker use, so the panel refuses
// exactly what POST /api/v1/builds and the compositions API would refuse, field by field.

import { BootExpectationsSchema, normalizeExpectations, type BootExpectations } from '@oscompose/bootcheck/expectations';

export interface BootCheckForm {
  /** One console expectation a line: text, or /regex/flags. Blank lines are ignored. */
  expect: string;
  httpPort: string;
  httpPath: string;
  httpExpect: string;
  /** Seconds, empty = the worker's default. */
  timeoutSeconds: string;
  untilPoweroff: boolean;
}

/** Which input a problem belongs to; `expect` problems also name the 1-based line of the textarea. */
export type BootCheckField = 'expect' | 'httpPort' | 'httpPath' | 'httpExpect' | 'timeoutSeconds' | 'untilPoweroff';
export interface BootCheckProblem {
  field: BootCheckField;
  line?: number;
  message: string;
}

export type BootCheckFormResult = { ok: true; value: BootExpectations | null } | { ok: false; problems: BootCheckProblem[] };

export const EMPTY_BOOT_CHECK_FORM: BootCheckForm = { expect: '', httpPort: '', httpPath: '', httpExpect: '', timeoutSeconds: '', untilPoweroff: false };

/** What the panel shows for stored expectations (null: none). */
export function formFromExpectations(e: BootExpectations | null | undefined): BootCheckForm {
  if (!e) return { ...EMPTY_BOOT_CHECK_FORM };
  return {
    expect: (e.expect ?? []).join('\n'),
    httpPort: e.http ? String(e.http.port) : '',
    httpPath: e.http?.path ?? '',
    httpExpect: e.http?.expect ?? '',
    timeoutSeconds: e.timeoutSeconds === undefined ? '' : String(e.timeoutSeconds),
    untilPoweroff: Boolean(e.untilPoweroff),
  };
}

// Expectation lines as typed, each with its line number in the textarea; surrounding blanks go
// (a console line is matched by substring, so a stray trailing space would never match).
function expectationLines(text: string): { text: string; line: number }[] {
  return text
    .split('\n')
    .map((t, i) => ({ text: t.trim(), line: i + 1 }))
    .filter((l) => l.text !== '');
}

function integer(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

/** The form as the API takes it: null when nothing is asked (booted = a clean handover to init). */
export function expectationsFromForm(form: BootCheckForm): BootCheckFormResult {
  const problems: BootCheckProblem[] = [];
  const lines = expectationLines(form.expect);
  const draft: Record<string, unknown> = {};
  if (lines.length) draft.expect = lines.map((l) => l.text);

  const port = form.httpPort.trim();
  const httpPath = form.httpPath.trim();
  const httpExpect = form.httpExpect.trim();
  if (port || httpPath || httpExpect) {
    const n = integer(port);
    if (!port) problems.push({ field: 'httpPort', message: 'the HTTP check needs the guest port' });
    else if (n === null) problems.push({ field: 'httpPort', message: 'the port is a whole number (1–65535)' });
    draft.http = { port: n ?? 0, ...(httpPath ? { path: httpPath } : {}), ...(httpExpect ? { expect: httpExpect } : {}) };
  }
  const timeout = form.timeoutSeconds.trim();
  if (timeout) {
    const n = integer(timeout);
    if (n === null) problems.push({ field: 'timeoutSeconds', message: 'the time limit is a whole number of seconds' });
    draft.timeoutSeconds = n ?? 0;
  }
  if (form.untilPoweroff) draft.untilPoweroff = true;

  const parsed = BootExpectationsSchema.safeParse(draft);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, second] = issue.path;
      if (head === 'expect') {
        const line = typeof second === 'number' ? lines[second]?.line : undefined;
        problems.push({ field: 'expect', ...(line ? { line } : {}), message: line ? `line ${line}: ${issue.message}` : issue.message });
      } else if (head === 'http') {
        const field = second === 'path' ? 'httpPath' : second === 'expect' ? 'httpExpect' : 'httpPort';
        // The checks above already said what is wrong with a missing or non-numeric port.
        if (field === 'httpPort' && problems.some((p) => p.field === 'httpPort')) continue;
        problems.push({ field, message: field === 'httpPort' ? 'the port is 1–65535' : issue.message });
      } else if (head === 'timeoutSeconds') {
        if (!problems.some((p) => p.field === 'timeoutSeconds')) problems.push({ field: 'timeoutSeconds', message: 'the time limit is 5–1800 seconds' });
      } else {
        problems.push({ field: 'expect', message: issue.message });
      }
    }
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: normalizeExpectations(parsed.data) ?? null };
}

/** Canonical text of what is asked (compares the panel with the saved version). */
export function expectationsKey(e: BootExpectations | null | undefined): string {
  return JSON.stringify(normalizeExpectations(e) ?? null);
}

/** What is asked, in words ("2 console lines", "HTTP :80/healthz", "powers off") and the time limit. */
function askedParts(e: BootExpectations | null | undefined): { parts: string[]; limit: string } {
  const n = normalizeExpectations(e);
  const parts: string[] = [];
  if (n?.expect?.length) parts.push(n.expect.length === 1 ? '1 console line' : `${n.expect.length} console lines`);
  if (n?.http) parts.push(`HTTP :${n.http.port}${n.http.path ?? '/'}`);
  if (n?.untilPoweroff) parts.push('powers off');
  return { parts, limit: n?.timeoutSeconds ? `, within ${n.timeoutSeconds} s` : '' };
}

const BOOTED_MEANS = 'booted means the kernel handed over to init and nothing panicked';

/** One line for the collapsed panel: what a good boot means with these expectations. */
export function describeExpectations(e: BootExpectations | null | undefined): string {
  const { parts, limit } = askedParts(e);
  return parts.length ? `verified when: ${parts.join(', ')}${limit}` : `${BOOTED_MEANS}${limit}`;
}

/**
 * The build page's line under the verdict: what this build's boot check was asked to see.
 * `ourInit`: our init reported its containers, which is always expected of it.
 */
export function describeRequested(e: BootExpectations | null | undefined, opts: { ourInit?: boolean } = {}): string {
  const { parts, limit } = askedParts(e);
  const always = opts.ourInit ? ' With our init, every onboot container must also exit 0 and every service start.' : '';
  if (parts.length) return `Expected: ${parts.join(', ')}${limit}.${always}`;
  if (opts.ourInit) return `Nothing else asked${limit}: with our init, every onboot container must exit 0 and every service start.`;
  return `Nothing expected beyond a boot: ${BOOTED_MEANS}${limit}.`;
}

/** The expectations as lines of text, one fact a line, for diffing two composition versions. */
export function expectationsAsLines(e: BootExpectations | null | undefined): string {
  const n = normalizeExpectations(e);
  if (!n) return '';
  const lines = (n.expect ?? []).map((x) => `expect: ${x}`);
  if (n.http) lines.push(`http: port ${n.http.port}, path ${n.http.path ?? '/'}${n.http.expect !== undefined ? `, body contains ${JSON.stringify(n.http.expect)}` : ''}`);
  if (n.timeoutSeconds !== undefined) lines.push(`time limit: ${n.timeoutSeconds} s`);
  if (n.untilPoweroff) lines.push('wait until it powers off');
  return `${lines.join('\n')}\n`;
}
