// `oscompose validate FILE...`: the spec package's checks; one `FILE:LINE:COL: message` per problem.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatProblems, hasErrors, parseSpecs } from '@oscompose/spec';
import { parse } from '../args';
import { EXIT, UsageError, type Command } from '../command';

export const validateCommand: Command = {
  name: 'validate',
  usage: `Usage: oscompose validate FILE...

Prints one FILE:LINE:COL: message line per problem. Exit code 0: valid (warnings may be printed),
1: errors found, 2: usage error.`,
  async run(args, io) {
    const { positionals } = parse(args, {});
    if (!positionals.length) throw new UsageError('validate needs at least one spec file');
    const inputs = [];
    for (const file of positionals) {
      try {
        inputs.push({ file, text: await readFile(resolve(io.cwd, file), 'utf8') });
      } catch (e) {
        io.stderr.write(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
        return EXIT.failed;
      }
    }
    const { problems } = parseSpecs(inputs);
    if (problems.length) io.stderr.write(`${formatProblems(problems)}\n`);
    if (hasErrors(problems)) return EXIT.failed;
    io.stdout.write(`${positionals.join(', ')}: valid\n`);
    return EXIT.ok;
  },
};
