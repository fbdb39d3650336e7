// The default compositions (compositions/*.yml, LinuxKit YAML) and the remote catalog
// (compositions/remote.yml: LinuxKit's public images, pinned as LinuxKit pins them).

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

export const COMPOSITIONS_DIR = fileURLToPath(new URL('../compositions', import.meta.url));

export interface DefaultComposition {
  /** File name without extension: "minimal". */
  name: string;
  title: string;
  description: string;
  /** The spec (LinuxKit YAML) with image references on the configured registry host. */
  yaml: string;
}

/** The registry host the starter images are named for when the caller names none. */
export const DEFAULT_REFERENCE_HOST = 'localhost:5000';

/** Our images are written for localhost:5000; a deployment with another OSCOMPOSE_REGISTRY gets its host. */
function rehost(yaml: string, host: string): string {
  return yaml.replace(/\blocalhost:5000\/oscompose\//g, `${host}/oscompose/`);
}

export async function loadDefaultCompositions(opts: { registryHost?: string; dir?: string } = {}): Promise<DefaultComposition[]> {
  const dir = opts.dir ?? COMPOSITIONS_DIR;
  const host = opts.registryHost ?? DEFAULT_REFERENCE_HOST;
  const out: DefaultComposition[] = [];
  for (const f of (await readdir(dir)).filter((f) => f.endsWith('.yml') && f !== 'remote.yml').sort()) {
    const text = await readFile(join(dir, f), 'utf8');
    // "# title: …" and "# description: …" header comments describe the composition.
    const title = text.match(/^# title: (.*)$/m)?.[1] ?? f.replace(/\.yml$/, '');
    const description = text.match(/^# description: (.*)$/m)?.[1] ?? '';
    out.push({ name: f.replace(/\.yml$/, ''), title, description, yaml: rehost(text, host) });
  }
  return out;
}

const RemoteEntrySchema = z
  .object({
    name: z.string(),
    kind: z.enum(['kernel', 'init', 'onboot', 'service', 'onshutdown']),
    reference: z.string(),
    title: z.string(),
    description: z.string(),
    tags: z.array(z.string()).default([]),
    defaultConfig: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type RemoteCatalogEntry = z.output<typeof RemoteEntrySchema> & { remote: true };

export async function loadRemoteCatalog(dir = COMPOSITIONS_DIR): Promise<RemoteCatalogEntry[]> {
  const doc = parse(await readFile(join(dir, 'remote.yml'), 'utf8')) as { images?: unknown };
  return z
    .array(RemoteEntrySchema)
    .parse(doc.images)
    .map((e) => ({ ...e, remote: true as const }));
}
