// The shape of one `oscompose` subcommand. Each command is one module in cli/commands/ and one
// entry (name, summary, loader) in cli/commands/index.ts; `submit`, `login`, `push` plug in the same way.

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal?: AbortSignal;
}

export interface Command {
  name: string;
  /** Full usage text for `oscompose CMD --help`. */
  usage: string;
  /** Returns the exit code. Throw for errors; main prints message and fix, never a stack. */
  run(args: string[], io: CliIO): Promise<number>;
}

/** Exit codes fit for scripts. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

export class UsageError extends Error {
  override name = 'UsageError';
}
