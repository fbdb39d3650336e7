// `oscompose push ARCHIVE --name NAME[:TAG] --kind KIND`: uploads an OCI archive or a `docker save`
// tarball to the team catalog of an oscompose server (POST /api/v1/catalog/uploads), streamed from
// disk. Server and token come from the same places as `submit` (flags, environment, config file).

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Command } from './command';
import { ApiClient, SubmitError, clientConfig, type SubmitIo } from './submit';

export const PUSH_USAGE = `usage: oscompose push [options] ARCHIVE --name NAME[:TAG] --kind KIND

Uploads an image archive (OCI archive, or a \`docker save\` tarball; gzip'd or not) to your
team's catalog. The server stores it as <registry>/<team>/NAME:TAG and prints that reference,
ready for a spec.

      --name NAME[:TAG]   catalog name (lower-case letters, digits, ".", "_", "-"); tag default latest
      --kind KIND         kernel | init | onboot | onshutdown | service | volume
      --title TEXT        title shown in the catalog (default: NAME)
      --description TEXT  description (default: the image's org.opencontainers.image.description)
      --server URL        server (default $OSCOMPOSE_SERVER, config file, http://localhost:3000)
      --token TOKEN       API token (default $OSCOMPOSE_TOKEN, config file); needs catalog:write
      --json              print the new catalog entry as JSON on stdout
`;

const KINDS = ['kernel', 'init', 'onboot', 'onshutdown', 'service', 'volume'];

/** NAME[:TAG] → name and tag (a registry-style path is refused: the server picks the namespace). */
export function parseNameTag(value: string): { name: string; tag: string } {
  const m = /^([a-z0-9][a-z0-9._-]{0,62})(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?$/.exec(value);
  if (!m) throw new SubmitError(`--name "${value}" is not NAME[:TAG]; use lower-case letters, digits, ".", "_", "-" (e.g. --name my-daemon:1.0); the server adds the registry and team`, 2);
  return { name: m[1]!, tag: m[2] ?? 'latest' };
}

interface Entry {
  id: string;
  reference: string;
  pinnedDigest: string | null;
  size: number | null;
  architectures: string[];
  kind: string;
}

export async function runPush(argv: string[], io: SubmitIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        kind: { type: 'string' },
        title: { type: 'string' },
        description: { type: 'string' },
        server: { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${PUSH_USAGE}`);
    return 2;
  }
  const { values: o, positionals } = args;
  if (o.help) {
    io.out(PUSH_USAGE);
    return 0;
  }
  try {
    if (positionals.length !== 1) throw new SubmitError(`give exactly one archive file\n\n${PUSH_USAGE}`, 2);
    if (!o.name) throw new SubmitError(`--name NAME[:TAG] is required\n\n${PUSH_USAGE}`, 2);
    if (!o.kind || !KINDS.includes(o.kind)) throw new SubmitError(`--kind must be one of ${KINDS.join(', ')}`, 2);
    const { name, tag } = parseNameTag(o.name);
    const file = path.resolve(positionals[0]!);
    let size: number;
    try {
      const s = await stat(file);
      if (!s.isFile()) throw new Error('not a regular file');
      size = s.size;
    } catch (err) {
      throw new SubmitError(`cannot read ${file} (${(err as Error).message}); save the image first, e.g. docker save IMAGE -o image.tar`, 2);
    }
    const client = new ApiClient(await clientConfig({ server: o.server, token: o.token }, io.env));
    const q = new URLSearchParams({ name, tag, kind: o.kind, ...(o.title ? { title: o.title } : {}), ...(o.description ? { description: o.description } : {}) });
    io.err(`uploading ${path.basename(file)} (${size} bytes) to ${client.config.server} …\n`);
    const res = await client.fetch(`/api/v1/catalog/uploads?${q}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit);
    const entry = (await res.json()) as Entry;
    if (o.json) io.out(`${JSON.stringify(entry, null, 2)}\n`);
    else io.out(`${entry.reference}@${entry.pinnedDigest}\n`);
    io.err(`added to the team catalog as ${entry.kind} (${entry.architectures.join(', ')}, ${entry.size ?? '?'} bytes)\n`);
    return 0;
  } catch (err) {
    if (err instanceof SubmitError) {
      io.err(`oscompose push: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

export const pushCommand: Command = {
  name: 'push',
  usage: PUSH_USAGE,
  run: (args, io) => runPush(args, { out: (s) => void io.stdout.write(s), err: (s) => void io.stderr.write(s), env: io.env }),
};
