// The `org.mobyproject.config` label: settings an image carries for itself (YAML or JSON, the
// fields of an image entry without name and image). Checked with the same schema and checks as
// the spec, so a bad label is reported as precisely as a bad spec.
import { LineCounter, parseDocument } from 'yaml';
import { imageConfigFieldsSchema, type ImageConfigFields } from './schema';
import type { SpecProblem } from './problems';
import { hasErrors, sortProblems } from './problems';
import { locate, locateKey, spanOf, spanOfOffsets } from './locate';
import { issueMessage, unknownKeyMessage } from './messages';
import { LABEL_ROOT } from './labelRoot';
import { checkSemantics } from './semantic';
import { parseOptions } from './yamlOptions';

export const MOBY_CONFIG_LABEL = LABEL_ROOT;

export interface LabelResult {
  /** The label's settings, when it has no error; `{}` for an empty or absent label. */
  config?: ImageConfigFields;
  /** Positions are within the label text; `file` is the `location` given (e.g. the image reference). */
  problems: SpecProblem[];
}

export function parseImageLabel(text: string | undefined, opts: { location?: string } = {}): LabelResult {
  if (text === undefined || text.trim() === '') return { config: {}, problems: [] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...parseOptions, lineCounter: lines });
  const problems: SpecProblem[] = [];
  const add = (span: ReturnType<typeof spanOf>, path: (string | number)[], message: string, severity: 'error' | 'warning' = 'error') =>
    problems.push({ ...(opts.location !== undefined ? { file: opts.location } : {}), ...span, path, message, severity });

  for (const e of doc.errors) add(spanOfOffsets(e.pos[0], e.pos[1], lines), [], `the ${LABEL_ROOT} label is not valid YAML/JSON: ${e.message.split('\n')[0]}`);
  if (problems.length) return { problems };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // An alias bomb (or nesting too deep) in an image's label: that image is refused, not the worker.
    add({ line: 1, col: 1, endLine: 1, endCol: 1 }, [], `the ${LABEL_ROOT} label cannot be read: ${(e as Error).message}`);
    return { problems };
  }
  if (value === null || value === undefined) return { config: {}, problems };
  if (typeof value !== 'object' || Array.isArray(value)) {
    add(spanOf(doc.contents ?? undefined, lines), [], `the ${LABEL_ROOT} label must be a map of settings, not ${Array.isArray(value) ? 'a list' : typeof value}`);
    return { problems };
  }
  // LinuxKit's rule: the label configures an image, it cannot rename it or point elsewhere.
  const { name, image, ...rest } = value as Record<string, unknown>;
  if (name !== undefined) add(spanOf(locateKey(doc, [], 'name'), lines), ['name'], `\`name\` cannot be set in the ${LABEL_ROOT} label`);
  if (image !== undefined) add(spanOf(locateKey(doc, [], 'image'), lines), ['image'], `\`image\` cannot be set in the ${LABEL_ROOT} label`);

  const result = imageConfigFieldsSchema.safeParse(rest, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path as (string | number)[];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) add(spanOf(locateKey(doc, path, key), lines), [...path, key], unknownKeyMessage(key, [LABEL_ROOT, ...path]));
        continue;
      }
      const input = (issue as { input?: unknown }).input;
      add(spanOf(locate(doc, path).node, lines), path, issueMessage({ ...issue, path: [LABEL_ROOT, ...path] } as typeof issue, input));
    }
    return { problems: sortProblems(problems) };
  }
  for (const f of checkSemantics({ services: [{ name: 'label', image: 'label', ...result.data }] }, 'local')) {
    const path = f.path.slice(2);
    const found = locate(doc, path);
    add(spanOf(f.onKey && found.keyNode ? found.keyNode : found.node, lines), path, f.message, f.severity ?? 'error');
  }
  const sorted = sortProblems(problems);
  return hasErrors(sorted) ? { problems: sorted } : { config: result.data, problems: sorted };
}
