// The oscompose CLI run in this process with what it prints captured: a test reads the exit code
// and the two streams, as a user at a terminal would.
import { PassThrough } from 'node:stream';
import { main } from '../cli/main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(args: string[], io: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await main(args, { stdout, stderr, ...io });
  return { code, out, err };
}
