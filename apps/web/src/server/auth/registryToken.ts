// oscompose as the token-auth server of a CNCF distribution registry (Debian docker-registry,
// registry:2): the registry sends clients to GET /api/v1/registry/token?service&scope, we check
// who they are (Basic auth: any user name, an oscompose API token as password) and answer a
// short-lived JWT (RS256, x5c = our certificate, which the registry trusts via rootcertbundle)
// granting only what their team and role allow:
//   oscompose/<name>   public starter images: pull for everyone, push for nobody
//   <team-slug>/<name> a team's private images: pull = catalog:read, push = catalog:write
import { execFileSync } from 'node:child_process';
import { createSign, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '@oscompose/db';
import { can, isRole, type Permission, type Role } from './permissions';
import { verifyToken } from './tokens';

export const PUBLIC_NAMESPACE = 'oscompose';

export interface ScopeRequest {
  type: string;
  name: string;
  actions: string[];
}

/** `repository:team-a/busybox:pull,push` → { type, name, actions }; null when malformed. */
export function parseScope(scope: string): ScopeRequest | null {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return null;
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const actions = scope
    .slice(last + 1)
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (!name || !/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/.test(name)) return null;
  return { type, name, actions };
}

export interface RegistryIdentity {
  userId: string;
  teamSlug: string;
  role: Role;
  /** Token scopes (empty = all of the role). */
  scopes: Permission[];
  /** oscompose itself mirroring the image store (scripts/lib/registry.mjs): may push oscompose/*. */
  system?: true;
}

/** The user name the mirror sends with the system secret (docs/registry.md). */
export const SYSTEM_USER = 'oscompose-system';
const SYSTEM_IDENTITY: RegistryIdentity = { userId: SYSTEM_USER, teamSlug: '', role: 'viewer', scopes: [], system: true };

/**
 * The system secret `npm start` writes next to the signing key (`system-secret`, mode 0600);
 * null when there is none (then nobody can push to oscompose/*).
 */
export function systemSecret(dir: string): string | null {
  const file = path.join(dir, 'system-secret');
  if (!existsSync(file)) return null;
  const secret = readFileSync(file, 'utf8').trim();
  return secret.length >= 32 ? secret : null;
}

function holds(who: RegistryIdentity, p: Permission): boolean {
  return can(who.role, p) && (who.scopes.length === 0 || who.scopes.includes(p));
}

/** The actions granted on one requested scope (pure: the whole policy is here). */
export function grant(request: ScopeRequest, who: RegistryIdentity | null): string[] {
  if (request.type !== 'repository') return [];
  const namespace = request.name.split('/')[0];
  if (namespace === PUBLIC_NAMESPACE) return request.actions.filter((a) => a === 'pull' || (a === 'push' && who?.system === true));
  if (who?.system) return [];
  if (!who || namespace !== who.teamSlug) return [];
  return request.actions.filter((a) => (a === 'pull' && holds(who, 'catalog:read')) || (a === 'push' && holds(who, 'catalog:write')));
}

/** Basic auth with an API token as the password; null for anonymous, 'refused' for bad credentials. */
export async function identify(prisma: PrismaClient, authorization: string | null, system: string | null = null): Promise<RegistryIdentity | null | 'refused'> {
  if (!authorization) return null;
  const m = /^Basic\s+(.+)$/i.exec(authorization);
  if (!m) return 'refused';
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const password = decoded.slice(decoded.indexOf(':') + 1);
  if (system && decoded.slice(0, decoded.indexOf(':')) === SYSTEM_USER) {
    const a = Buffer.from(password);
    const b = Buffer.from(system);
    return a.length === b.length && timingSafeEqual(a, b) ? SYSTEM_IDENTITY : 'refused';
  }
  const found = await verifyToken(prisma, password);
  if (!found) return 'refused';
  const membership = await prisma.membership.findFirst({ where: { userId: found.userId, teamId: found.teamId }, include: { team: true } });
  if (!membership || !isRole(membership.role)) return 'refused';
  return { userId: found.userId, teamSlug: membership.team.slug, role: membership.role, scopes: found.scopes };
}

export interface SigningKey {
  keyPem: string;
  /** The certificate, DER as base64 (the x5c header). */
  certB64: string;
  certPath: string;
}

/**
 * The signing key and self-signed certificate, made once with openssl into `dir` (the registry's
 * `auth.token.rootcertbundle` points at cert.pem there).
 */
export function signingKey(dir: string): SigningKey {
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '3650', '-subj', '/CN=oscompose registry token'], { stdio: 'ignore' });
  }
  return { keyPem: readFileSync(keyPath, 'utf8'), certB64: readFileSync(certPath, 'utf8').replace(/-----[^-]+-----|\s/g, ''), certPath };
}

export function issueRegistryToken(
  key: SigningKey,
  opts: { issuer: string; service: string; subject: string; access: { type: string; name: string; actions: string[] }[]; ttlSeconds?: number },
): { token: string; access_token: string; expires_in: number; issued_at: string } {
  const ttl = opts.ttlSeconds ?? 300;
  const now = Math.floor(Date.now() / 1000);
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'RS256', typ: 'JWT', x5c: [key.certB64] })}.${b64({
    iss: opts.issuer,
    sub: opts.subject,
    aud: opts.service,
    exp: now + ttl,
    nbf: now - 10,
    iat: now,
    jti: randomBytes(12).toString('hex'),
    access: opts.access,
  })}`;
  const token = `${input}.${createSign('RSA-SHA256').update(input).sign(key.keyPem).toString('base64url')}`;
  return { token, access_token: token, expires_in: ttl, issued_at: new Date(now * 1000).toISOString() };
}
