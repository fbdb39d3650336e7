// How an error reaches the terminal: its message (which says the fix) and, for spec problems, one
// `FILE:LINE:COL: message` line each. Never a stack unless OSCOMPOSE_DEBUG=1.
import { SpecError, formatProblems } from '@oscompose/spec';
import { EXIT, UsageError } from './command';

export function describeError(e: unknown, debug = false): { text: string; code: number } {
  if (debug && e instanceof Error && e.stack) return { text: e.stack, code: EXIT.failed };
  if (e instanceof SpecError) return { text: formatProblems(e.problems) || e.message, code: EXIT.failed };
  if (e instanceof UsageError) return { text: `${e.message}\nRun "oscompose --help" for usage.`, code: EXIT.usage };
  if (e instanceof Error) {
    const kind = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
    return { text: `${kind}${e.message}`, code: e.message === 'build cancelled' ? EXIT.cancelled : EXIT.failed };
  }
  return { text: String(e), code: EXIT.failed };
}
