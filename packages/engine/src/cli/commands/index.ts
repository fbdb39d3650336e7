// The command table: each subcommand's name, its line in `oscompose --help`, and how to load it.
// A command's module (and the engine behind it) loads only when that command runs, so `--help`
// and `validate` start without the engine; the CLI bundle puts each module in a chunk of its own.
// A new subcommand (submit, login, push …) is one module and one entry here.
import type { Command } from '../command';

export interface CommandEntry {
  name: string;
  /** One line for `oscompose --help`. */
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  {
    name: 'build',
    summary: 'build artifacts (kernel+initrd, tar, iso, disk images…) from one or more spec files',
    load: async () => (await import('./build')).buildCommand,
  },
  {
    name: 'validate',
    summary: 'check spec files (several are checked as one merged spec); exit 1 on errors',
    load: async () => (await import('./validate')).validateCommand,
  },
  {
    name: 'resolve',
    summary: 'print the spec with every image pinned to a digest (ref@sha256:…)',
    load: async () => (await import('./resolve')).resolveCommand,
  },
  {
    name: 'cache',
    summary: 'list or remove cached images and section archives (ls | rm | prune)',
    load: async () => (await import('./cache')).cacheCommand,
  },
  {
    name: 'submit',
    summary: 'submit a spec to an oscompose server; follow, download and verify the artifacts',
    load: async () => (await import('../submit')).submitCommand,
  },
  {
    name: 'login',
    summary: 'store an API token for an oscompose server (used by submit)',
    load: async () => (await import('../login')).loginCommand,
  },
  {
    name: 'push',
    summary: "upload an OCI or docker archive to your team's catalog on an oscompose server",
    load: async () => (await import('../push')).pushCommand,
  },
  {
    name: 'verify',
    summary: 'check a downloaded artifact against its signed provenance and print it',
    load: async () => (await import('./verify')).verifyCommand,
  },
];

/** Adds a command at run time (plugins, tests). */
export function addCommand(c: Command, summary: string): void {
  commands.push({ name: c.name, summary, load: async () => c });
}
