// parseSpec: YAML text → typed Spec plus every problem with its line and column. YAML syntax
// errors, schema violations and semantic checks all come back in one list.
import { Document as YamlDocument, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { specSchema, type Spec } from './schema';
import { SpecError, hasErrors, sortProblems, type SpecProblem } from './problems';
import { locate, locateKey, spanOf, spanOfOffsets } from './locate';
import { issueMessage, unknownKeyMessage } from './messages';
import { checkSemantics, type Finding } from './semantic';
import { serverFindings } from './server';
import { parseOptions } from './yamlOptions';

export interface ParseResult {
  /** Present only when there is no error (warnings allowed). */
  spec?: Spec;
  problems: SpecProblem[];
  /** The parsed YAML document (comments, positions); the edit API works on it. */
  doc: Document;
}

export interface ParseOptions {
  /** File name put into every problem. */
  file?: string;
  /**
   * Which semantic checks to run: `all` (default) treats the text as a whole build; `local`
   * leaves out the checks that span files (parseSpecs runs those on the merged spec).
   */
  checks?: 'all' | 'local';
  /**
   * The text comes from a user of a server that builds it (the web app, the worker): refuse what
   * would read the server's own files (`files: source:`, see server.ts). The CLI leaves this off
   * and keeps LinuxKit's behaviour.
   */
  server?: boolean;
}

/**
 * The most a spec may have, in bytes (UTF-8). A spec is a document people write; a bigger one is
 * an attack on the parser (or file contents that belong in an image), refused before it is read.
 */
export const MAX_SPEC_BYTES = 1024 * 1024;

/** How many copies aliases may make of what they point to (yaml's guard against alias bombs). */
const MAX_ALIAS_COUNT = 100;


const lineCounters = new WeakMap<Document, LineCounter>();

/** Offsets → line/column for a document parseSpec made. */
export function linesOf(doc: Document): LineCounter | undefined {
  return lineCounters.get(doc);
}

export function parseSpec(text: string, opts: ParseOptions = {}): ParseResult {
  const size = text.length > MAX_SPEC_BYTES / 4 ? Buffer.byteLength(text) : 0;
  if (size > MAX_SPEC_BYTES) {
    const message = `the spec is ${size} bytes, more than the ${MAX_SPEC_BYTES} bytes (1 MiB) a spec may have; put large file contents into an image instead of \`contents\``;
    return { problems: [{ ...(opts.file !== undefined ? { file: opts.file } : {}), line: 1, col: 1, endLine: 1, endCol: 1, path: [], message, severity: 'error' }], doc: new YamlDocument() };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...parseOptions, lineCounter: lines });
  lineCounters.set(doc, lines);
  const problems: SpecProblem[] = [];
  const file = opts.file;
  const base = (span: ReturnType<typeof spanOf>, path: (string | number)[], message: string, severity: 'error' | 'warning'): SpecProblem => ({
    ...(file !== undefined ? { file } : {}), ...span, path, message, severity,
  });

  // One YAML mistake often makes the parser report several errors on the same line; the first
  // one is the useful one.
  const errorLines = new Set<number>();
  for (const e of doc.errors) {
    const span = spanOfOffsets(e.pos[0], e.pos[1], lines);
    if (errorLines.has(span.line)) continue;
    errorLines.add(span.line);
    problems.push(base(span, [], yamlMessage(e.code, e.message, text.slice(e.pos[0], e.pos[1] + 200)), 'error'));
  }
  for (const w of doc.warnings) {
    problems.push(base(spanOfOffsets(w.pos[0], w.pos[1], lines), [], yamlMessage(w.code, w.message, ''), 'warning'));
  }
  // An alias must come after its anchor; yaml only notices when converting, without a position.
  visit(doc, {
    Alias(_, node) {
      if (!node.resolve(doc) && node.range) {
        problems.push(base(spanOfOffsets(node.range[0], node.range[1], lines), [], `YAML: \`*${node.source}\` refers to an anchor \`&${node.source}\` that is not defined before it; define the anchor first`, 'error'));
      }
    },
  });
  if (hasErrors(problems)) return { problems: sortProblems(problems), doc };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    problems.push(conversionProblem(doc, lines, e as Error, base));
    return { problems, doc };
  }
  // An empty file is an empty spec, as for `linuxkit build`.
  if (value === null || value === undefined) value = {};

  const at = (path: (string | number)[], message: string, severity: 'error' | 'warning' = 'error', onKey = false) => {
    const found = locate(doc, path);
    const node = onKey && found.keyNode ? found.keyNode : found.node;
    problems.push(base(spanOf(node, lines), path, message, severity));
  };

  const result = specSchema.safeParse(value, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path as (string | number)[];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const keyNode = locateKey(doc, path, key);
          problems.push(base(spanOf(keyNode ?? locate(doc, path).node, lines), [...path, key], unknownKeyMessage(key, path), 'error'));
        }
        continue;
      }
      const input = 'input' in issue ? (issue as { input?: unknown }).input : undefined;
      // A missing key is reported on the map that lacks it.
      const missing = issue.code === 'invalid_type' && input === undefined;
      at(missing ? path.slice(0, -1) : path, issueMessage(issue, input), 'error', missing);
      if (missing) problems[problems.length - 1]!.path = path;
    }
    // The semantic checks still run, on the spec without its invalid values, so one round of
    // fixes is enough.
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const partial = withoutInvalid(value, result.error.issues);
      const issuePaths = result.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys' ? i.keys.map((k) => [...(i.path as (string | number)[]), k]) : [i.path as (string | number)[]]);
      const related = (a: readonly (string | number)[], b: readonly (string | number)[]) => a.length <= b.length && a.every((x, k) => x === b[k]);
      // A finding next to a removed value may only be a consequence of its removal.
      const clean = checkSemantics(partial as Spec, opts.checks ?? 'all').filter((f) => !issuePaths.some((ip) => related(ip, f.path) || related(f.path, ip)));
      for (const f of clean) at(f.path, f.message, f.severity ?? 'error', f.onKey ?? false);
      if (opts.server) for (const f of serverFindings(partial as Spec)) at(f.path, f.message, f.severity ?? 'error');
    }
    return { problems: sortProblems(problems), doc };
  }

  const spec = result.data;
  const findings: Finding[] = [...checkSemantics(spec, opts.checks ?? 'all'), ...(opts.server ? serverFindings(spec) : [])];
  for (const f of findings) at(f.path, f.message, f.severity ?? 'error', f.onKey ?? false);
  const sorted = sortProblems(problems);
  return hasErrors(sorted) ? { problems: sorted, doc } : { spec, problems: sorted, doc };
}

/**
 * A spec a server is to build (the web app when it takes a build, the worker when it runs one):
 * parsed in server mode, so host files are refused. Throws SpecError with every problem when
 * there is an error. The worker parses the stored text again with this same function: it
 * trusts only its own configuration, not whatever wrote the Build row.
 */
export function parseServerSpec(text: string): Spec {
  const parsed = parseSpec(text, { server: true });
  if (!parsed.spec) throw new SpecError(parsed.problems);
  return parsed.spec;
}

/**
 * A document that parsed but cannot be turned into values: an alias bomb (yaml stops expanding
 * at MAX_ALIAS_COUNT copies; reported at the first alias) or nesting too deep for the stack.
 */
function conversionProblem(
  doc: Document,
  lines: LineCounter,
  e: Error,
  base: (span: ReturnType<typeof spanOf>, path: (string | number)[], message: string, severity: 'error') => SpecProblem,
): SpecProblem {
  if (/alias count/i.test(e.message)) {
    let first: [number, number] | undefined;
    visit(doc, {
      Alias(_, node) {
        if (node.range) first = [node.range[0], node.range[1]];
        return visit.BREAK;
      },
    });
    const span = first ? spanOfOffsets(first[0], first[1], lines) : { line: 1, col: 1, endLine: 1, endCol: 1 };
    return base(span, [], `YAML: the aliases (\`*name\`) in this spec expand to more than ${MAX_ALIAS_COUNT} copies of what they point to (an alias bomb); write the values out instead of nesting aliases`, 'error');
  }
  if (e instanceof RangeError) return base({ line: 1, col: 1, endLine: 1, endCol: 1 }, [], 'YAML: the spec is nested too deeply to be read; flatten its lists and maps', 'error');
  return base({ line: 1, col: 1, endLine: 1, endCol: 1 }, [], `YAML: ${e.message}`, 'error');
}

/** yaml's own message, first line only, rephrased to name the fix where we know it. */
function yamlMessage(code: string, message: string, source: string): string {
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
  switch (code) {
    case 'DUPLICATE_KEY': {
      const key = /^[^\s:#]+|^"[^"]*"|^'[^']*'/.exec(source)?.[0];
      return `YAML: the key ${key ? `\`${key}\` ` : ''}appears twice in the same map; keep one`;
    }
    case 'TAB_AS_INDENT':
      return 'YAML: tabs are not allowed as indentation; indent with spaces';
    case 'BAD_INDENT':
      if (/^Flow (sequence|mapping)/.test(first)) {
        const [open, close] = first.startsWith('Flow sequence') ? ['[', ']'] : ['{', '}'];
        return `YAML: a \`${open}\` is not closed before this line; end it with \`${close}\``;
      }
      return `YAML: ${first}`;
    default:
      if (/Maximum call stack/.test(first)) return 'YAML: the spec is nested too deeply to be read; flatten its lists and maps';
      return `YAML: ${first}`;
  }
}

/** A deep copy of value with every value a schema issue points at removed (list items → null). */
function withoutInvalid(value: unknown, issues: readonly { code: string; path: PropertyKey[] }[]): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys' || issue.path.length === 0) continue;
    let parent: unknown = copy;
    for (const step of issue.path.slice(0, -1)) parent = (parent as Record<PropertyKey, unknown> | undefined)?.[step as string];
    const last = issue.path[issue.path.length - 1]!;
    if (Array.isArray(parent)) parent[last as number] = null;
    else if (parent && typeof parent === 'object') delete (parent as Record<PropertyKey, unknown>)[last];
  }
  return copy;
}
