// Validation for the editor: parseSpec's problems with line/column, ready for markers. Server
// mode, so the editor marks what a build here would refuse (files: source) on its line.
import { parseSpec } from '@oscompose/spec';

export interface ValidateProblem {
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
  message: string;
  severity: 'error' | 'warning';
}

export function validateSpec(text: string): { problems: ValidateProblem[] } {
  const { problems } = parseSpec(text, { server: true });
  return {
    problems: problems.map((p) => ({
      line: p.line,
      col: p.col,
      ...(p.endLine !== undefined ? { endLine: p.endLine } : {}),
      ...(p.endCol !== undefined ? { endCol: p.endCol } : {}),
      message: p.message,
      severity: p.severity,
    })),
  };
}
