// The core of `oscompose validate FILE...`: read the files, parse them, report every problem.
// The engine's CLI prints formatProblems(problems) and exits with exitCode.
import { readFile } from 'node:fs/promises';
import { parseSpec } from './parse';
import { parseSpecs } from './merge';
import { hasErrors, sortProblems, type SpecProblem } from './problems';

export interface ValidateOptions {
  /**
   * false (default): each file is a spec on its own. true: the files are one build, combined as
   * `linuxkit build a.yml b.yml` does (service names and volumes checked across them).
   */
  combine?: boolean;
}

export interface ValidateResult {
  problems: SpecProblem[];
  /** 1 when any problem is an error, else 0 (warnings alone pass). */
  exitCode: 0 | 1;
}

export async function validateFiles(paths: readonly string[], opts: ValidateOptions = {}): Promise<ValidateResult> {
  const problems: SpecProblem[] = [];
  const inputs: { file: string; text: string }[] = [];
  for (const file of paths) {
    try {
      inputs.push({ file, text: await readFile(file, 'utf8') });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
      problems.push({ file, line: 1, col: 1, path: [], message: `cannot read the spec: ${reason}`, severity: 'error' });
    }
  }
  if (opts.combine) problems.push(...parseSpecs(inputs).problems);
  else for (const input of inputs) problems.push(...parseSpec(input.text, { file: input.file }).problems);
  // Report in the order the files were given.
  const order = new Map(paths.map((p, i) => [p, i]));
  const sorted = sortProblems(problems).sort((a, b) => (order.get(a.file ?? '') ?? 0) - (order.get(b.file ?? '') ?? 0));
  return { problems: sorted, exitCode: hasErrors(sorted) ? 1 : 0 };
}
