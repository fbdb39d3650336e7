// A real registry for tests: Debian's docker-registry (the CNCF distribution registry) on
// 127.0.0.1 with a free port and a temporary root; optionally basic or token auth.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { requireHostTool } from '../../../../scripts/lib/host-packages.mjs';
import { freePort } from './ports';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface TestRegistry {
  /** host:port, e.g. 127.0.0.1:41234 */
  host: string;
  /** http://host */
  url: string;
  /** Credentials accepted when auth is basic or token. */
  username?: string;
  password?: string;
  /** The token server's URL when auth is token. */
  tokenUrl?: string;
  /** The registry's storage directory (tests tamper with blobs under it). */
  storage: string;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  auth?: 'none' | 'basic' | 'token';
  username?: string;
  password?: string;
  /** Trust a token service of the test's own (the web app's) instead of starting one: auth 'token'. */
  tokenService?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** Listen on this port (a test that must name the host before the registry starts). */
  port?: number;
}

/**
 * Starts docker-registry on 127.0.0.1. With auth 'token' a small token server (in this process)
 * issues JWTs signed by a throwaway CA, the same flow Docker Hub uses.
 */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<TestRegistry> {
  requireHostTool(REGISTRY_BINARY);
  const auth = opts.tokenService ? 'token' : (opts.auth ?? 'none');
  const username = opts.username ?? 'tester';
  const password = opts.password ?? 'secret-' + randomBytes(4).toString('hex');
  const root = mkdtempSync(join(tmpdir(), 'oscompose-registry-'));
  const port = opts.port ?? (await freePort());
  let authYaml = '';
  let tokenServer: Server | undefined;
  let tokenUrl: string | undefined;
  if (auth === 'basic') {
    writeFileSync(join(root, 'htpasswd'), `${username}:${bcrypt.hashSync(password, 8)}\n`);
    authYaml = `auth:\n  htpasswd:\n    realm: oscompose-test\n    path: ${join(root, 'htpasswd')}\n`;
  } else if (opts.tokenService) {
    const t = opts.tokenService;
    authYaml = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.rootCertBundle}\n`;
  } else if (auth === 'token') {
    const t = await startTokenServer(root, username, password);
    tokenServer = t.server;
    tokenUrl = t.url;
    authYaml = `auth:\n  token:\n    realm: ${t.url}/token\n    service: oscompose-test\n    issuer: oscompose-test-issuer\n    rootcertbundle: ${t.certPath}\n`;
  }
  const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(root, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
${authYaml}`;
  writeFileSync(join(root, 'config.yml'), config);
  const child: ChildProcess = spawn(REGISTRY_BINARY, ['serve', join(root, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exited: number | null = null;
  child.on('exit', (code) => {
    exited = code ?? -1;
  });
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          r(null);
        }, 3000);
        child.once('exit', () => {
          clearTimeout(t);
          r(null);
        });
      });
    }
    if (tokenServer) await new Promise((r) => tokenServer!.close(r));
    rmSync(root, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    if (exited !== null) {
      await stop();
      throw new Error(`docker-registry exited with ${exited} at start: ${stderr.trim()}`);
    }
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.status === 200 || res.status === 401) break;
    } catch {
      /* not listening yet */
    }
    if (i > 300) {
      await stop();
      throw new Error(`docker-registry did not answer on ${url}/v2/ within 30 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host, url, storage: join(root, 'data'), ...(auth !== 'none' ? { username, password } : {}), ...(tokenUrl ? { tokenUrl } : {}), stop };
}

/** A token server as the distribution spec describes: GET /token?service&scope, basic auth, JWT signed with x5c. */
async function startTokenServer(root: string, username: string, password: string) {
  const keyPath = join(root, 'token.key');
  const certPath = join(root, 'token.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=oscompose-test-token'], {
    stdio: 'ignore',
  });
  const key = readFileSync(keyPath, 'utf8');
  const certDer = readFileSync(certPath, 'utf8').replace(/-----[^-]+-----|\s/g, '');
  const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const hdr = req.headers.authorization ?? '';
    const anonymous = !hdr;
    if (!anonymous) {
      const [user, pass] = Buffer.from(hdr.replace(/^Basic /, ''), 'base64').toString().split(':');
      if (!hdr.startsWith('Basic ') || user !== username || pass !== password) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
        return;
      }
    }
    // Grant what was asked for to a logged-in user; anonymous users get nothing (every request
    // to the registry then fails with 401, as on a private Docker Hub repository).
    const access = anonymous
      ? []
      : u.searchParams.getAll('scope').map((s) => {
          const [type, name, actions] = s.split(':');
          return { type, name, actions: (actions ?? '').split(',') };
        });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer] };
    const claims = { iss: 'oscompose-test-issuer', sub: anonymous ? '' : username, aud: u.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = createSign('RSA-SHA256').update(input).sign(key);
    const token = `${input}.${b64url(sig)}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${port}`, certPath };
}
