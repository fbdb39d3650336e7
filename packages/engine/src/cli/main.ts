// `oscompose`: parses the subcommand, runs it, maps errors to a message and an exit code.
import { EXIT, type CliIO } from './command';
import { commands } from './commands/index';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'oscompose — build LinuxKit-style operating systems (a drop-in for `linuxkit build`)',
    '',
    'Usage: oscompose COMMAND [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "oscompose COMMAND --help" for a command\'s options.',
  ].join('\n');
}

export async function main(argv: string[], io?: Partial<CliIO>): Promise<number> {
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  const full: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: ac.signal, ...io };
  try {
    const [name, ...rest] = argv;
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      full.stdout.write(`${help()}\n`);
      return name ? EXIT.ok : EXIT.usage;
    }
    if (name === '--version') {
      full.stdout.write('oscompose 0.1.0\n');
      return EXIT.ok;
    }
    const entry = commands.find((c) => c.name === name);
    if (!entry) {
      full.stderr.write(`unknown command "${name}"\n\n${help()}\n`);
      return EXIT.usage;
    }
    const cmd = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      full.stdout.write(`${cmd.usage}\n`);
      return EXIT.ok;
    }
    return await cmd.run(rest, full);
  } catch (e) {
    // errors.ts knows the spec package's error types; loaded only when something failed.
    const { describeError } = await import('./errors');
    const { text, code } = describeError(e, full.env.OSCOMPOSE_DEBUG === '1');
    full.stderr.write(`${text}\n`);
    return code;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
