// Registry credentials: from the environment (OSCOMPOSE_REGISTRY_AUTH_<HOST>=user:password) and
// from ~/.docker/config.json `auths` (or $DOCKER_CONFIG/config.json). Pure lookup + a loader.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credential {
  username: string;
  password: string;
}

/** host → credential; the key is a registry host as in image references (docker.io, localhost:5000). */
export type Credentials = Record<string, Credential>;

/**
 * The environment variable holding credentials for a host: OSCOMPOSE_REGISTRY_AUTH_ + the host
 * upper-cased with every character other than A-Z and 0-9 replaced by '_'.
 * e.g. localhost:5000 → OSCOMPOSE_REGISTRY_AUTH_LOCALHOST_5000, ghcr.io → OSCOMPOSE_REGISTRY_AUTH_GHCR_IO.
 */
export function credentialEnvName(host: string): string {
  return `OSCOMPOSE_REGISTRY_AUTH_${host.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Docker Hub's credentials are stored under several historical keys. */
const DOCKER_HUB_KEYS = ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/', 'https://index.docker.io/v1', 'https://registry-1.docker.io'];

function hostOfAuthKey(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

/** Parses a docker config.json `auths` object (pure). Entries with `auth` or username/password. */
export function parseDockerConfig(json: unknown): Credentials {
  const out: Credentials = {};
  const auths = (json as { auths?: Record<string, { auth?: string; username?: string; password?: string }> })?.auths ?? {};
  for (const [key, v] of Object.entries(auths)) {
    let cred: Credential | undefined;
    if (v?.auth) {
      const s = Buffer.from(v.auth, 'base64').toString();
      const i = s.indexOf(':');
      if (i > 0) cred = { username: s.slice(0, i), password: s.slice(i + 1) };
    } else if (v?.username) {
      cred = { username: v.username, password: v.password ?? '' };
    }
    if (!cred) continue; // credsStore/credHelpers entries: not supported, the env var is the way
    const host = DOCKER_HUB_KEYS.includes(key) ? 'docker.io' : hostOfAuthKey(key);
    out[host] = cred;
  }
  return out;
}

/** Finds the credential for a registry host: explicit > environment > docker config. */
export function credentialFor(
  host: string,
  sources: { explicit?: Credentials; env?: Record<string, string | undefined>; docker?: Credentials },
): Credential | undefined {
  const h = host === 'registry-1.docker.io' || host === 'index.docker.io' ? 'docker.io' : host;
  if (sources.explicit?.[h]) return sources.explicit[h];
  const v = sources.env?.[credentialEnvName(h)];
  if (v) {
    const i = v.indexOf(':');
    if (i > 0) return { username: v.slice(0, i), password: v.slice(i + 1) };
  }
  return sources.docker?.[h];
}

/** Reads $DOCKER_CONFIG/config.json or ~/.docker/config.json; empty when absent or unreadable. */
export function loadDockerConfig(env: Record<string, string | undefined> = process.env): Credentials {
  const dir = env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  try {
    return parseDockerConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')));
  } catch {
    return {};
  }
}
