// `oscompose verify FILE [--bundle B] [--key PEM]… [--server URL]`: checks a downloaded artifact
// against its signed provenance (NAME.intoto.jsonl next to it) and prints what it says. Offline
// with --key; --server fetches the server's public keys (GET /api/v1/keys, no login needed).

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from '../args';
import { EXIT, UsageError, type Command } from '../command';
import { bundleEnvelopes, describeProvenance, parsePublicKeys, verifyProvenance, VerifyError } from '../../provenance/index';
import type { KeyObject } from 'node:crypto';

const USAGE = `Usage: oscompose verify FILE [options]

Checks that FILE (a downloaded artifact, or a .intoto.jsonl bundle alone) was built and signed by
an oscompose server: the bundle's DSSE signature verifies with the server's public key, and FILE's
sha256 is one of the artifacts its in-toto/SLSA provenance names. Prints the provenance.

Options:
  --bundle FILE     the provenance bundle (default: the *.intoto.jsonl next to FILE that names it)
  --key PEM         a public key file (PEM; repeatable; or a saved GET /api/v1/keys answer): offline
  --server URL      fetch the server's public keys from URL/api/v1/keys
  --json            print the verified in-toto statement as JSON

Exit code 0: verified; 1: not verified (the reason is printed); 2: usage error.`;

async function findBundle(file: string): Promise<string> {
  if (file.endsWith('.intoto.jsonl')) return file;
  const dir = path.dirname(file);
  const base = path.basename(file);
  const candidates = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.intoto.jsonl')).sort();
  for (const c of candidates) {
    const text = await readFile(path.join(dir, c), 'utf8').catch(() => '');
    try {
      for (const env of bundleEnvelopes(text)) {
        const st = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) as { subject?: { name?: string }[] };
        if (st.subject?.some((s) => s.name === base)) return path.join(dir, c);
      }
    } catch {
      // not ours; look on
    }
  }
  if (candidates.length === 1) return path.join(dir, candidates[0]!);
  throw new VerifyError(`no provenance bundle (*.intoto.jsonl) next to ${file} names it; download it with the artifact or pass --bundle`);
}

async function serverKeys(server: string): Promise<KeyObject[]> {
  const url = `${server.replace(/\/+$/, '')}/api/v1/keys`;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new VerifyError(`cannot reach ${url} (${(e as Error).cause ?? (e as Error).message}); check --server, or verify offline with --key`);
  }
  if (!res.ok) throw new VerifyError(`${url} answered ${res.status}; is this an oscompose server?`);
  return parsePublicKeys(await res.text());
}

export const verifyCommand: Command = {
  name: 'verify',
  usage: USAGE,
  async run(args, io) {
    const { values: o, positionals } = parse(args, {
      bundle: { type: 'string' },
      key: { type: 'string', multiple: true },
      server: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('verify needs exactly one FILE');
    const file = path.resolve(io.cwd, positionals[0]!);
    const keys: KeyObject[] = [];
    for (const k of o.key ?? []) {
      const text = await readFile(path.resolve(io.cwd, k), 'utf8').catch((e) => {
        throw new UsageError(`--key ${k}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      });
      const parsed = parsePublicKeys(text);
      if (!parsed.length) throw new UsageError(`--key ${k}: no PEM public key in it`);
      keys.push(...parsed);
    }
    if (o.server) keys.push(...(await serverKeys(o.server)));
    if (!keys.length) throw new UsageError('verify needs the public key: --key PEM (offline) or --server URL');
    try {
      const bundlePath = o.bundle ? path.resolve(io.cwd, o.bundle) : await findBundle(file);
      const bundle = await readFile(bundlePath, 'utf8');
      const isBundleOnly = bundlePath === file;
      const bytes = isBundleOnly ? undefined : await readFile(file);
      const v = verifyProvenance(bundle, keys, bytes ? { name: path.basename(file), bytes } : undefined);
      if (o.json) io.stdout.write(JSON.stringify(v.statement, null, 2) + '\n');
      else io.stdout.write([`${positionals[0]}: verified (${path.basename(bundlePath)})`, ...describeProvenance(v)].join('\n') + '\n');
      return EXIT.ok;
    } catch (e) {
      if (e instanceof VerifyError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
        io.stderr.write(`${positionals[0]}: NOT verified: ${e instanceof VerifyError ? e.message : `cannot read ${(e as NodeJS.ErrnoException).path}`}\n`);
        return EXIT.failed;
      }
      throw e;
    }
  },
};
