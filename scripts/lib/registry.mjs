// The image store served at a registry address by `npm start`: Debian's docker-registry (the CNCF
// distribution registry) on 127.0.0.1:<port of OSCOMPOSE_REGISTRY>, with oscompose's
// /api/v1/registry/token as its token-auth server (docs/registry.md). Node built-ins only.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Must match what the token route signs (aud / iss): see apps/web/app/api/v1/registry/token. */
export const REGISTRY_SERVICE = 'oscompose-registry';
export const REGISTRY_ISSUER = 'oscompose';

export const REGISTRY_HELP = 'docker-registry is not installed, so images are not served at a registry address (apt-get install docker-registry to get it; OSCOMPOSE_REGISTRY_SERVE=0 hides this line).';

/** /usr/bin/docker-registry, else `registry` (the upstream binary's name) on PATH, else null. */
export function findRegistryBinary(env = process.env) {
  if (env.OSCOMPOSE_REGISTRY_BINARY) return existsSync(env.OSCOMPOSE_REGISTRY_BINARY) ? env.OSCOMPOSE_REGISTRY_BINARY : null;
  if (existsSync('/usr/bin/docker-registry')) return '/usr/bin/docker-registry';
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir && existsSync(path.join(dir, 'registry'))) return path.join(dir, 'registry');
  }
  return null;
}

/**
 * Where to serve, from OSCOMPOSE_REGISTRY (default localhost:5000): the port, or null when that
 * address is not on this machine (then someone else runs the registry).
 */
export function registryListenPort(registry = 'localhost:5000') {
  const m = /^(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::(\d+))?$/.exec(registry.trim());
  if (!m) return null;
  return Number(m[2] || 5000);
}

/** The docker-registry configuration (pure). Token auth: anonymous pulls of oscompose/* still get a token. */
export function registryConfigYaml({ port, storage, realm, certPath, httpSecret }) {
  return `# Written by npm start (scripts/lib/registry.mjs) on every start; edits are overwritten.
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: false
http:
  addr: 127.0.0.1:${port}
  secret: ${httpSecret}
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  token:
    realm: ${realm}
    service: ${REGISTRY_SERVICE}
    issuer: ${REGISTRY_ISSUER}
    rootcertbundle: ${certPath}
`;
}

/**
 * The token signing key + certificate (made the way the web's signingKey() makes them, same
 * files) and the system secret the mirror pushes oscompose/* with. Created once, mode 0600.
 */
export function ensureTokenFiles(tokenDir) {
  mkdirSync(tokenDir, { recursive: true, mode: 0o700 });
  const keyPath = path.join(tokenDir, 'key.pem');
  const certPath = path.join(tokenDir, 'cert.pem');
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    const res = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '3650', '-subj', '/CN=oscompose registry token'], { stdio: 'ignore' });
    if (res.status !== 0) throw new Error(`openssl could not make the registry token key in ${tokenDir} (is openssl installed?)`);
    chmodSync(keyPath, 0o600);
  }
  const secretPath = path.join(tokenDir, 'system-secret');
  if (!existsSync(secretPath)) writeFileSync(secretPath, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return { keyPath, certPath, secretPath };
}

/**
 * Lines docker-registry logs for every ordinary exchange: the 401 that starts token auth and the
 * 404 of a HEAD before a push. Hidden, so real errors stand out.
 */
export function isRoutineRegistryLine(line) {
  return /authorization token required|err\.code="(?:blob unknown|manifest unknown)"/.test(line);
}

function portTaken(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(true));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(false)));
  });
}

async function answersV2(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 401 || res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts docker-registry for `npm start`, or explains in one line why not. Returns
 * { child, port, host } when started, { skipped: reason } otherwise. Never throws for a missing
 * binary or a busy port: oscompose runs fine without it.
 */
export async function startRegistry({ dataDir, webPort, env = process.env, onLine }) {
  if (env.OSCOMPOSE_REGISTRY_SERVE === '0') return { skipped: 'OSCOMPOSE_REGISTRY_SERVE=0' };
  const port = registryListenPort(env.OSCOMPOSE_REGISTRY || 'localhost:5000');
  if (port === null) return { skipped: `OSCOMPOSE_REGISTRY=${env.OSCOMPOSE_REGISTRY} is not on this machine; serve it there` };
  const bin = findRegistryBinary(env);
  if (!bin) return { skipped: REGISTRY_HELP, help: true };
  if (await portTaken(port)) {
    return { skipped: `port ${port} (OSCOMPOSE_REGISTRY) is taken by another program, so oscompose does not serve its images there; free it or set OSCOMPOSE_REGISTRY=localhost:<free port>`, warn: true };
  }
  const tokenDir = env.OSCOMPOSE_REGISTRY_TOKEN_DIR || path.join(dataDir, 'registry-token');
  const { certPath, secretPath } = ensureTokenFiles(tokenDir);
  const storage = path.join(dataDir, 'registry');
  mkdirSync(storage, { recursive: true });
  const config = path.join(dataDir, 'registry.yml');
  // http.secret signs upload state; one registry process, so a fresh one per start will do.
  writeFileSync(config, registryConfigYaml({ port, storage, realm: `http://127.0.0.1:${webPort}/api/v1/registry/token`, certPath, httpSecret: randomBytes(16).toString('hex') }), { mode: 0o600 });
  const child = spawn(bin, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  for (const s of [child.stdout, child.stderr]) {
    s.setEncoding('utf8');
    let rest = '';
    s.on('data', (d) => {
      rest += d;
      let i;
      while ((i = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, i);
        if (!isRoutineRegistryLine(line)) onLine?.(line);
        rest = rest.slice(i + 1);
      }
    });
  }
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    if (await answersV2(port)) return { child, port, host: `127.0.0.1:${port}`, secret: readFileSync(secretPath, 'utf8').trim(), config };
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {}
  return { skipped: `docker-registry did not come up on 127.0.0.1:${port} (see the registry lines above)`, warn: true };
}
