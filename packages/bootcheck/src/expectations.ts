// What a user says a good boot looks like (`bootCheck` on POST /api/v1/builds, stored with a
// composition version next to its spec): console text or /regex/, an HTTP answer, a time limit,
// waiting for poweroff. Pure and free of Node APIs so the web app (server and browser) uses the
// same schema and the same matcher as the worker.

import { z } from 'zod';

export const MAX_EXPECTATIONS = 20;
export const MAX_EXPECTATION_LENGTH = 300;
export const MAX_TIMEOUT_SECONDS = 1800;

/** A console expectation: `/regex/flags` is a regular expression, anything else literal text. */
export type ConsoleMatcher = { kind: 'text'; text: string } | { kind: 'regex'; source: string; flags: string; re: RegExp };

const REGEX = /^\/(.+)\/([imsu]*)$/s;
// A quantified group that itself holds a quantifier ((a+)+, (x*y)*, (a|aa){2,}): the shapes that
// backtrack exponentially. The worker runs these against every console line, so they are refused.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,?\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,?\d*\})/;

/** Parses one expectation; the error says what is wrong with it. */
export function parseExpectation(text: string): { ok: true; matcher: ConsoleMatcher } | { ok: false; error: string } {
  const m = text.match(REGEX);
  if (!m) return { ok: true, matcher: { kind: 'text', text } };
  const [, source, flags] = m as unknown as [string, string, string];
  if (NESTED_QUANTIFIER.test(source)) return { ok: false, error: `${text}: a repeated group that itself repeats (like (a+)+) can take the boot check forever; write it without the nesting` };
  try {
    return { ok: true, matcher: { kind: 'regex', source, flags, re: new RegExp(source, flags) } };
  } catch (e) {
    return { ok: false, error: `${text}: not a valid regular expression (${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')})` };
  }
}

export function matches(m: ConsoleMatcher, line: string): boolean {
  if (m.kind === 'text') return line.includes(m.text);
  m.re.lastIndex = 0;
  return m.re.test(line);
}

const Expectation = z
  .string()
  .min(1, 'an expectation must not be empty')
  .max(MAX_EXPECTATION_LENGTH, `an expectation is at most ${MAX_EXPECTATION_LENGTH} characters`)
  .superRefine((s, ctx) => {
    const r = parseExpectation(s);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
  });

export const HttpExpectationSchema = z.strictObject({
  port: z.number().int().min(1).max(65535),
  path: z.string().startsWith('/', 'path starts with /').max(500).optional(),
  /** The body must contain this text. */
  expect: z.string().max(MAX_EXPECTATION_LENGTH).optional(),
});

export const BootExpectationsSchema = z.strictObject({
  expect: z.array(Expectation).max(MAX_EXPECTATIONS, `at most ${MAX_EXPECTATIONS} expectations`).optional(),
  http: HttpExpectationSchema.optional(),
  timeoutSeconds: z.number().int().min(5).max(MAX_TIMEOUT_SECONDS).optional(),
  /** The boot check passes only once the system has powered itself off (without a panic). */
  untilPoweroff: z.boolean().optional(),
});

export type BootExpectations = z.infer<typeof BootExpectationsSchema>;
export type HttpExpectation = z.infer<typeof HttpExpectationSchema>;

/** True when the user asked for nothing (the verdict can then be `booted`, not `verified`). */
export function noExpectations(e: BootExpectations | undefined): boolean {
  return !e || (!(e.expect && e.expect.length) && !e.http && !e.untilPoweroff);
}

/** Drops empty parts, so what is stored (and compared) is canonical; undefined when nothing is left. */
export function normalizeExpectations(e: BootExpectations | undefined | null): BootExpectations | undefined {
  if (!e) return undefined;
  const out: BootExpectations = {};
  if (e.expect?.length) out.expect = e.expect;
  if (e.http) out.http = e.http;
  if (e.timeoutSeconds !== undefined) out.timeoutSeconds = e.timeoutSeconds;
  if (e.untilPoweroff) out.untilPoweroff = true;
  return Object.keys(out).length ? out : undefined;
}

/**
 * The stored form (Build.bootExpectations, CompositionVersion.bootExpectations), written by the
 * web app and read by it and the worker: canonical JSON, or null when nothing is asked.
 */
export function expectationsToColumn(e: BootExpectations | undefined | null): string | null {
  const n = normalizeExpectations(e);
  return n ? JSON.stringify(n) : null;
}

/** What such a column holds, validated again (a row may predate a schema change); null when none or unreadable. */
export function expectationsFromColumn(text: string | null | undefined): BootExpectations | null {
  if (!text) return null;
  try {
    const r = BootExpectationsSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
