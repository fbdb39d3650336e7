// parseSpec: YAML text → typed Spec plus every problem with its line and column. YAML syntax
// errors, schema violations and semantic checks all come back in one list.
import { LineCounter, parseDocument, type Document } from 'yaml';
import { specSchema, type Spec } from './schema';
import { hasErrors, sortProblems, type SpecProblem } from './problems';
import { locate, locateKey, spanOf, spanOfOffsets } from './locate';
import { issueMessage, unknownKeyMessage } from './messages';
import { checkSemantics, type Finding } from './semantic';

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
}

// LinuxKit parses with go-yaml; we parse YAML 1.2 (the `yaml` package default and what the
// editor's language server uses). See docs/spec.md for the few 1.1 spellings that differ.
const yamlOptions = { prettyErrors: true, uniqueKeys: true, strict: true } as const;

const lineCounters = new WeakMap<Document, LineCounter>();

/** Offsets → line/column for a document parseSpec made. */
export function linesOf(doc: Document): LineCounter | undefined {
  return lineCounters.get(doc);
}

export function parseSpec(text: string, opts: ParseOptions = {}): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...yamlOptions, lineCounter: lines });
  lineCounters.set(doc, lines);
  const problems: SpecProblem[] = [];
  const file = opts.file;
  const base = (span: ReturnType<typeof spanOf>, path: (string | number)[], message: string, severity: 'error' | 'warning'): SpecProblem => ({
    ...(file !== undefined ? { file } : {}), ...span, path, message, severity,
  });

  for (const e of doc.errors) {
    problems.push(base(spanOfOffsets(e.pos[0], e.pos[1], lines), [], yamlMessage(e.message), 'error'));
  }
  for (const w of doc.warnings) {
    problems.push(base(spanOfOffsets(w.pos[0], w.pos[1], lines), [], yamlMessage(w.message), 'warning'));
  }
  if (hasErrors(problems)) return { problems: sortProblems(problems), doc };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    problems.push(base({ line: 1, col: 1, endLine: 1, endCol: 1 }, [], `cannot read the YAML: ${(e as Error).message}`, 'error'));
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
    return { problems: sortProblems(problems), doc };
  }

  const spec = result.data;
  const findings: Finding[] = checkSemantics(spec, opts.checks ?? 'all');
  for (const f of findings) at(f.path, f.message, f.severity ?? 'error', f.onKey ?? false);
  const sorted = sortProblems(problems);
  return hasErrors(sorted) ? { problems: sorted, doc } : { spec, problems: sorted, doc };
}

/** yaml's messages end with a code frame when prettyErrors is on; keep the first line. */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return `YAML: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
}
