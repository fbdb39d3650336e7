// `oscompose submit spec.yml -f FORMAT… [--wait] [--download DIR]`: sends a spec to an oscompose
// server, follows the build's live events, downloads the artifacts and checks their sha256.
// Server and token: flags, then OSCOMPOSE_SERVER / OSCOMPOSE_TOKEN, then
// ~/.config/oscompose/config.json ({ "server": "...", "token": "..." }).

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { parseSpecs, formatProblems } from '@oscompose/spec';
import { stringify } from 'yaml';
import type { Command } from './command';

export const SUBMIT_USAGE = `usage: oscompose submit [options] SPEC.yml [MORE.yml…]

Submits a build to an oscompose server.

  -f, --format FORMAT   output format (repeat for several; default kernel+initrd)
      --name NAME       base name of the artifacts (default: the spec file name)
  -w, --wait            follow the build until it ends; exit 1 if it fails
  -d, --download DIR    wait, then download every artifact (and its signed provenance,
                        NAME.intoto.jsonl, for oscompose verify) into DIR and check its sha256
      --fresh           do not reuse a cached build with the same resolved spec
      --expect TEXT     the boot check must see TEXT on the serial console (repeat for
                        several; /regex/flags for a regular expression); the verdict is then
                        verified, or failed naming what never appeared
      --expect-http PORT[/PATH][=TEXT]
                        the booted system must answer HTTP 200 on guest PORT (at PATH,
                        default /; with TEXT in the body)
      --boot-timeout S  seconds the whole boot may take (5..1800; default: the worker's)
      --until-poweroff  the system must power itself off
      --server URL      server (default $OSCOMPOSE_SERVER, config file, http://localhost:3000)
      --token TOKEN     API token (default $OSCOMPOSE_TOKEN, config file)
      --json            print the final build as JSON on stdout
  -q, --quiet           no progress lines
`;

/** `PORT[/PATH][=TEXT]` → the API's http expectation. */
export function parseExpectHttp(arg: string): { port: number; path?: string; expect?: string } {
  const m = /^(\d{1,5})(\/[^=]*)?(?:=(.*))?$/s.exec(arg);
  const port = m ? Number(m[1]) : NaN;
  if (!m || port < 1 || port > 65535) throw new SubmitError(`--expect-http ${arg}: write PORT[/PATH][=TEXT], e.g. 80/health=ok`, 2);
  return { port, ...(m[2] ? { path: m[2] } : {}), ...(m[3] !== undefined ? { expect: m[3] } : {}) };
}

/** The build's bootCheck from the flags; undefined when none was given. */
export function bootCheckFlags(o: { expect?: string[]; 'expect-http'?: string; 'boot-timeout'?: string; 'until-poweroff'?: boolean }): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (o.expect?.length) out.expect = o.expect;
  if (o['expect-http'] !== undefined) out.http = parseExpectHttp(o['expect-http']);
  if (o['boot-timeout'] !== undefined) {
    const n = Number(o['boot-timeout']);
    if (!Number.isInteger(n)) throw new SubmitError(`--boot-timeout ${o['boot-timeout']}: give whole seconds (5..1800)`, 2);
    out.timeoutSeconds = n;
  }
  if (o['until-poweroff']) out.untilPoweroff = true;
  return Object.keys(out).length ? out : undefined;
}

export class SubmitError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'SubmitError';
  }
}

export interface ClientConfig {
  server: string;
  token?: string;
}

/** Flags > environment > config file > default. */
export async function clientConfig(flags: { server?: string; token?: string }, env: Record<string, string | undefined> = process.env): Promise<ClientConfig> {
  const file = path.join(env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'oscompose', 'config.json');
  let fromFile: Partial<ClientConfig> = {};
  try {
    fromFile = JSON.parse(await readFile(file, 'utf8')) as Partial<ClientConfig>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SubmitError(`${file} is not valid JSON: ${(err as Error).message}`, 2);
  }
  const server = (flags.server || env.OSCOMPOSE_SERVER || fromFile.server || 'http://localhost:3000').replace(/\/+$/, '');
  const token = flags.token || env.OSCOMPOSE_TOKEN || fromFile.token || undefined;
  return { server, ...(token ? { token } : {}) };
}

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Splits a text/event-stream body into events (the SSE wire format, comments skipped). */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buf = '';
  let ev: Partial<SseEvent> & { data?: string } = {};
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (line === '') {
        if (ev.data !== undefined) yield { id: ev.id, event: ev.event ?? 'message', data: ev.data };
        ev = {};
        continue;
      }
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'data') ev.data = ev.data === undefined ? value : `${ev.data}\n${value}`;
      else if (field === 'event') ev.event = value;
      else if (field === 'id') ev.id = value;
    }
  }
}

interface Artifact {
  name: string;
  format: string;
  size: number;
  sha256: string;
  downloadUrl: string;
}

export interface BuildInfo {
  id: string;
  status: string;
  error?: string | null;
  cached?: boolean;
  artifacts?: Artifact[];
  provenance?: Omit<Artifact, 'format'> | null;
  sbom?: Omit<Artifact, 'format'> | null;
  bootCheck?: { ok: boolean; verdict?: string; message?: string; artifacts?: { format: string; verdict: string; console?: string | null }[] } | null;
}

export class ApiClient {
  constructor(readonly config: ClientConfig) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.config.token ? { Authorization: `Bearer ${this.config.token}` } : {}), ...extra };
  }

  async fetch(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(pathOrUrl, this.config.server + '/');
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers: this.headers(init.headers as Record<string, string>) });
    } catch (err) {
      throw new SubmitError(`cannot reach the oscompose server at ${this.config.server} (${(err as Error).cause ?? (err as Error).message}); check --server or OSCOMPOSE_SERVER`, 3);
    }
    if (!res.ok && res.status !== 206) {
      let message = `${res.status} ${res.statusText}`;
      try {
        const body = (await res.json()) as { error?: { message?: string; problems?: { line?: number; col?: number; message: string }[] } };
        if (body.error?.message) message = body.error.message;
        if (body.error?.problems?.length) {
          message += '\n' + body.error.problems.map((p) => `  ${p.line ?? '?'}:${p.col ?? '?'}: ${p.message}`).join('\n');
        }
      } catch {
        // not JSON: keep the status line
      }
      if (res.status === 401) message += '\n(give a token with --token or OSCOMPOSE_TOKEN)';
      throw new SubmitError(`${init.method ?? 'GET'} ${url.pathname}: ${message}`, res.status === 400 ? 2 : 1);
    }
    return res;
  }

  async json<T>(p: string, init: RequestInit = {}): Promise<T> {
    return (await (await this.fetch(p, init)).json()) as T;
  }
}

/** Follows /events until the final status; reconnects with Last-Event-ID if the stream drops. */
export async function followBuild(client: ApiClient, id: string, onEvent: (e: SseEvent) => void): Promise<void> {
  let lastId: string | undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await client.fetch(`/api/v1/builds/${encodeURIComponent(id)}/events`, {
      headers: { Accept: 'text/event-stream', ...(lastId ? { 'Last-Event-ID': lastId } : {}) },
    });
    try {
      for await (const e of readSse(res.body!)) {
        if (e.id) lastId = e.id;
        onEvent(e);
        if (e.event === 'status') {
          const status = (JSON.parse(e.data) as { status?: string }).status;
          if (status === 'succeeded' || status === 'failed' || status === 'canceled') return;
        }
      }
    } catch {
      // connection dropped: reconnect below
    }
    await new Promise((r) => setTimeout(r, Math.min(500 * (attempt + 1), 3000)));
  }
  throw new SubmitError(`lost the event stream of build ${id} too often; see ${client.config.server}/builds/${id}`);
}

/** Downloads one artifact to DIR/name (via a .part file) and checks its sha256 against the API and the header. */
export async function downloadArtifact(client: ApiClient, a: Artifact, dir: string): Promise<string> {
  const dest = path.join(dir, path.basename(a.name));
  const part = `${dest}.part`;
  const res = await client.fetch(a.downloadUrl);
  const header = res.headers.get('x-checksum-sha256');
  if (header && header !== a.sha256) throw new SubmitError(`${a.name}: the server's checksum header (${header}) differs from the build's (${a.sha256})`);
  const hash = createHash('sha256');
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  body.on('data', (c: Buffer) => hash.update(c));
  await pipeline(body, createWriteStream(part));
  const got = hash.digest('hex');
  if (got !== a.sha256) {
    await rm(part, { force: true });
    throw new SubmitError(`${a.name}: downloaded sha256 ${got} does not match the published ${a.sha256}; download again`);
  }
  await rename(part, dest);
  return dest;
}

function progressLine(e: SseEvent): string | undefined {
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(e.data) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  switch (e.event) {
    case 'status':
      return `status: ${d.status}${d.cached ? ' (from cache)' : ''}${d.error ? ` — ${d.error}` : ''}`;
    case 'stage':
      return `» ${d.stage}${d.format ? ` ${d.format}` : ''}`;
    case 'progress':
      return typeof d.done === 'number' && typeof d.total === 'number' ? `  ${d.stage ?? ''} ${d.done}/${d.total}${d.message ? ` ${d.message}` : ''}` : undefined;
    case 'log':
      return `  ${d.level && d.level !== 'info' ? `${d.level}: ` : ''}${d.message ?? ''}`;
    case 'artifact':
      return `  artifact ${d.name} ${d.size} bytes sha256:${d.sha256}`;
    case 'bootcheck':
      if (typeof d.verdict === 'string') return `  boot check ${d.format}: ${d.verdict === 'failed' ? 'FAILED' : d.verdict}${d.message ? ` — ${d.message}` : ''}`;
      return `  boot check ${d.format}: ${d.ok ? 'ok' : `FAILED${d.error ? ` (${d.error})` : ''}`}`;
  }
  return undefined;
}

export interface SubmitIo {
  out: (s: string) => void;
  err: (s: string) => void;
  env?: Record<string, string | undefined>;
}

/** The command; returns the exit code. */
export async function runSubmit(argv: string[], io: SubmitIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', multiple: true },
        name: { type: 'string' },
        wait: { type: 'boolean', short: 'w' },
        download: { type: 'string', short: 'd' },
        fresh: { type: 'boolean' },
        expect: { type: 'string', multiple: true },
        'expect-http': { type: 'string' },
        'boot-timeout': { type: 'string' },
        'until-poweroff': { type: 'boolean' },
        server: { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${SUBMIT_USAGE}`);
    return 2;
  }
  const { values: o, positionals: files } = args;
  if (o.help) {
    io.out(SUBMIT_USAGE);
    return 0;
  }
  if (!files.length) {
    io.err(`no spec file given\n\n${SUBMIT_USAGE}`);
    return 2;
  }
  try {
    // One file is sent as written (comments and all); several are merged as linuxkit build does.
    let specText: string;
    const inputs = await Promise.all(files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
    const parsed = parseSpecs(inputs);
    if (!parsed.spec) throw new SubmitError(`the spec has problems:\n${formatProblems(parsed.problems)}`, 2);
    specText = inputs.length === 1 ? inputs[0]!.text : stringify(parsed.spec, { lineWidth: 0 });

    const bootCheck = bootCheckFlags(o);
    const client = new ApiClient(await clientConfig({ server: o.server, token: o.token }, io.env));
    const name = o.name ?? path.basename(files[0]!).replace(/\.(ya?ml)$/i, '');
    const created = await client.json<{ id: string; url: string; pageUrl?: string }>('/api/v1/builds', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ spec: specText, formats: o.format?.length ? o.format : ['kernel+initrd'], name, ...(o.fresh ? { fresh: true } : {}), ...(bootCheck ? { bootCheck } : {}) }),
    });
    // The page people open: the server names it (its public URL); an older server does not.
    io.err(`build ${created.id} queued: ${created.pageUrl ?? `${client.config.server}/builds/${created.id}`}\n`);
    if (!o.wait && !o.download) {
      if (o.json) io.out(JSON.stringify(created) + '\n');
      else io.out(created.id + '\n');
      return 0;
    }

    let lastLine = '';
    await followBuild(client, created.id, (e) => {
      if (o.quiet) return;
      const line = progressLine(e);
      // Stages are announced by the worker and again by the engine: print each once.
      if (line && !(line === lastLine && e.event === 'stage')) io.err(line + '\n');
      if (line) lastLine = line;
    });
    const build = await client.json<BuildInfo>(created.url);
    if (build.status !== 'succeeded') {
      io.err(`build ${build.id} ${build.status}${build.error ? `: ${build.error}` : ''}\n`);
      // A failed boot: its whole serial console is one download away.
      for (const a of build.bootCheck?.artifacts ?? []) {
        if (a.verdict === 'failed' && a.console) io.err(`  boot console of ${a.format}: ${new URL(a.console, client.config.server + '/').href}\n`);
      }
      if (o.json) io.out(JSON.stringify(build) + '\n');
      return 1;
    }
    if (o.download) {
      await mkdir(o.download, { recursive: true });
      // The signed provenance too, so `oscompose verify` finds it next to the files; and the SBOM.
      const extras = [...(build.provenance ? [{ ...build.provenance, format: 'provenance' }] : []), ...(build.sbom ? [{ ...build.sbom, format: 'sbom' }] : [])];
      for (const a of [...(build.artifacts ?? []), ...extras]) {
        const file = await downloadArtifact(client, a, o.download);
        io.err(`✓ ${file} ${a.size} bytes sha256:${a.sha256}\n`);
      }
    }
    if (o.json) io.out(JSON.stringify(build) + '\n');
    else io.out(`${build.id} succeeded${build.cached ? ' (from cache)' : ''}${build.bootCheck?.verdict ? `, boot ${build.bootCheck.verdict}` : ''}\n`);
    return 0;
  } catch (err) {
    if (err instanceof SubmitError) {
      io.err(`oscompose submit: ${err.message}\n`);
      return err.exitCode;
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      io.err(`oscompose submit: cannot read ${(err as NodeJS.ErrnoException).path}\n`);
      return 2;
    }
    throw err;
  }
}

export const submitCommand: Command = {
  name: 'submit',
  usage: SUBMIT_USAGE,
  run: (args, io) =>
    runSubmit(args, { out: (s) => void io.stdout.write(s), err: (s) => void io.stderr.write(s), env: io.env }),
};
