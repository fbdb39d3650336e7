// `oscompose login`: get an API token for a server and store it (with the server URL) in
// ~/.config/oscompose/config.json, where `oscompose submit` reads it. Either a token made in the
// web UI (--token), or e-mail + password: the CLI signs in, creates a token named for this
// machine, and signs the session out again — the password is never stored.

import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, type CliIO, type Command } from './command';

export const LOGIN_USAGE = `oscompose login [options]

Stores an API token for an oscompose server; \`oscompose submit\` then uses it.

Options:
  --server URL        the server (default $OSCOMPOSE_SERVER, config file, http://localhost:3000)
  --token TOKEN       a token made in Settings → API tokens (or $OSCOMPOSE_TOKEN)
  --email EMAIL       sign in with e-mail and password instead; the password comes from
                      $OSCOMPOSE_PASSWORD or --password-stdin
  --password-stdin    read the password from standard input
  --expires DAYS      lifetime of a token created by --email (default 90)
  -h, --help          this help

Examples:
  oscompose login --server https://oscompose.example.com --token osc_…
  printf %s "$PW" | oscompose login --server http://localhost:3000 --email me@example.com --password-stdin
`;

export class LoginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoginError';
  }
}

export function configFile(env: NodeJS.ProcessEnv): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'oscompose', 'config.json');
}

/** Writes { server, token } keeping other keys; the file holds a secret, so mode 0600. */
export async function storeLogin(env: NodeJS.ProcessEnv, server: string, token: string): Promise<string> {
  const file = configFile(env);
  let current: Record<string, unknown> = {};
  try {
    current = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    /* a fresh or unreadable file is replaced */
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify({ ...current, server, token }, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

async function request(server: string, pathname: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(server + pathname, init);
  } catch (err) {
    throw new LoginError(`cannot reach the oscompose server at ${server} (${(err as Error).cause ?? (err as Error).message}); check --server`);
  }
}

async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { message?: string }; message?: string };
    return body.error?.message ?? body.message ?? text;
  } catch {
    return text || res.statusText;
  }
}

interface WhoAmI {
  user: { email: string } | null;
  current: { name: string; slug: string } | null;
  role: string;
}

async function whoAmI(server: string, token: string): Promise<WhoAmI> {
  const res = await request(server, '/api/v1/teams', { headers: { Authorization: `Bearer ${token}` } });
  if (res.status === 401) throw new LoginError('the server refused the token (unknown, revoked or expired); create a new one in Settings → API tokens');
  if (!res.ok) throw new LoginError(`checking the token failed (${res.status}): ${await errorText(res)}`);
  return (await res.json()) as WhoAmI;
}

/** Signs in with e-mail + password and returns a new token; the session is signed out after. */
async function tokenFromPassword(server: string, email: string, password: string, expiresInDays: number): Promise<string> {
  // better-auth checks the Origin of cookie-authenticated POSTs; the server's own origin passes.
  const origin = new URL(server).origin;
  const signIn = await request(server, '/api/auth/sign-in/email', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin },
    body: JSON.stringify({ email, password }),
  });
  if (!signIn.ok) throw new LoginError(`sign-in failed (${signIn.status}): ${await errorText(signIn)}`);
  const cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  try {
    const made = await request(server, '/api/v1/tokens', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: origin, Cookie: cookie },
      body: JSON.stringify({ name: `oscompose CLI on ${hostname()}`, expiresInDays }),
    });
    if (!made.ok) throw new LoginError(`creating a token failed (${made.status}): ${await errorText(made)}`);
    return ((await made.json()) as { token: string }).token;
  } finally {
    await request(server, '/api/auth/sign-out', { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: origin, Cookie: cookie }, body: '{}' }).catch(() => undefined);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export interface LoginIo {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** For tests: the password instead of standard input. */
  stdin?: () => Promise<string>;
}

export async function runLogin(argv: string[], io: LoginIo): Promise<number> {
  let o;
  try {
    o = parseArgs({
      args: argv,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        email: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        expires: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${LOGIN_USAGE}`);
    return EXIT.usage;
  }
  if (o.help) {
    io.out(LOGIN_USAGE);
    return EXIT.ok;
  }
  const server = (o.server || io.env.OSCOMPOSE_SERVER || 'http://localhost:3000').replace(/\/+$/, '');
  try {
    let token = o.token || (o.email ? undefined : io.env.OSCOMPOSE_TOKEN);
    if (!token) {
      if (!o.email) throw new LoginError('give --token TOKEN (from Settings → API tokens) or --email EMAIL with a password');
      const password = o['password-stdin'] ? await (io.stdin ?? readStdin)() : io.env.OSCOMPOSE_PASSWORD;
      if (!password) throw new LoginError('no password: pipe it with --password-stdin or set OSCOMPOSE_PASSWORD');
      const days = o.expires ? Number(o.expires) : 90;
      if (!Number.isInteger(days) || days < 1) throw new LoginError('--expires wants a whole number of days (1 or more)');
      token = await tokenFromPassword(server, o.email, password, days);
    }
    const me = await whoAmI(server, token);
    const file = await storeLogin(io.env, server, token);
    io.err(`logged in to ${server} as ${me.user?.email ?? 'unknown'} (team ${me.current?.name ?? '?'}, role ${me.role}); token stored in ${file}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof LoginError) {
      io.err(`oscompose login: ${err.message}\n`);
      return EXIT.failed;
    }
    throw err;
  }
}

export const loginCommand: Command = {
  name: 'login',
  usage: LOGIN_USAGE,
  run: (args: string[], io: CliIO) =>
    runLogin(args, { out: (s) => io.stdout.write(s), err: (s) => io.stderr.write(s), env: io.env }),
};
