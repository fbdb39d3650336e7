// Problems found in a spec (YAML syntax, schema, semantics), the error that carries them, and
// their one-line text form `FILE:LINE:COL: message` that the CLI and the editor show.

export interface SpecProblem {
  file?: string;
  /** 1-based line of the start of the offending YAML node. */
  line: number;
  /** 1-based column of the start of the offending YAML node. */
  col: number;
  endLine?: number;
  endCol?: number;
  /** Path of the offending value in the spec, e.g. ['services', 2, 'binds', 0]. */
  path: (string | number)[];
  message: string;
  severity: 'error' | 'warning';
}

/** Thrown when a spec cannot be used; `problems` holds every problem found, errors first. */
export class SpecError extends Error {
  readonly problems: SpecProblem[];
  constructor(problems: SpecProblem[], message?: string) {
    super(message ?? summarize(problems));
    this.name = 'SpecError';
    this.problems = problems;
  }
}

function summarize(problems: SpecProblem[]): string {
  const errors = problems.filter((p) => p.severity === 'error');
  const shown = (errors.length ? errors : problems).slice(0, 5).map(formatProblem);
  const more = (errors.length || problems.length) - shown.length;
  return ['invalid spec:', ...shown, ...(more > 0 ? [`… and ${more} more`] : [])].join('\n');
}

/** `FILE:LINE:COL: message` (a warning says so); without a file, `LINE:COL: message`. */
export function formatProblem(p: SpecProblem): string {
  const where = `${p.file ? `${p.file}:` : ''}${p.line}:${p.col}`;
  return `${where}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}

/** One line per problem, by file (in the order they first appear), then position. */
export function formatProblems(problems: readonly SpecProblem[]): string {
  return sortProblems(problems).map(formatProblem).join('\n');
}

export function sortProblems(problems: readonly SpecProblem[]): SpecProblem[] {
  const fileOrder = new Map<string | undefined, number>();
  for (const p of problems) if (!fileOrder.has(p.file)) fileOrder.set(p.file, fileOrder.size);
  return [...problems].sort(
    (a, b) => fileOrder.get(a.file)! - fileOrder.get(b.file)! || a.line - b.line || a.col - b.col,
  );
}

export function hasErrors(problems: readonly SpecProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
