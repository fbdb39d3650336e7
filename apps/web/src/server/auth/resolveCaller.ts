// Turns a request into a caller: `Authorization: Bearer osc_…` (API token), else the better-auth
// session cookie, else — only while nobody has an account yet — the seeded local user
// (single-user mode, so a fresh `npm start` is usable before the first sign-up).
import type { PrismaClient } from '@oscompose/db';
import { db } from '../db';
import { UnavailableError } from '../errors';
import { auth } from './betterAuth';
import type { Caller, CallerResolver } from './caller';
import { membershipRole } from './permissions';
import { hasAccounts } from './signup';
import { verifyToken } from './tokens';

export interface ResolveDeps {
  prisma: PrismaClient;
  /** better-auth's getSession, or null when there is none. */
  getSession(headers: Headers): Promise<{ session: { id: string; userId: string; activeOrganizationId?: string | null } } | null>;
  localCaller(): Promise<Caller>;
}

// Once accounts exist they always do; remember that so single-user checks stop costing a query.
let accountsSeen = false;
export function forgetAccountsSeen(): void {
  accountsSeen = false;
}

export async function resolveFromRequest(req: Request, deps: ResolveDeps): Promise<Caller | null> {
  const { prisma } = deps;
  const authz = req.headers.get('authorization');
  if (authz && /^bearer\s+/i.test(authz)) {
    const found = await verifyToken(prisma, authz.replace(/^bearer\s+/i, '').trim());
    if (!found) return null;
    const m = await prisma.membership.findFirst({ where: { userId: found.userId, teamId: found.teamId } });
    if (!m) return null; // removed from the team: the token died with the membership
    return { userId: found.userId, teamId: found.teamId, role: membershipRole(m.role), via: 'token', scopes: found.scopes };
  }

  const got = await deps.getSession(req.headers).catch(() => null);
  if (got) {
    const { session } = got;
    const memberships = await prisma.membership.findMany({ where: { userId: session.userId }, orderBy: { createdAt: 'asc' } });
    const m = memberships.find((x) => x.teamId === session.activeOrganizationId) ?? memberships[0];
    if (!m) return { userId: session.userId, teamId: '', role: 'viewer', via: 'session', sessionId: session.id, teamless: true };
    return { userId: session.userId, teamId: m.teamId, role: membershipRole(m.role), via: 'session', sessionId: session.id };
  }

  if (!accountsSeen) accountsSeen = await hasAccounts(prisma);
  if (!accountsSeen) return deps.localCaller();
  return null;
}

let resolver: CallerResolver | undefined;

/** Installs the resolver (accounts/teams code calls this once at start-up; tests too). */
export function setCallerResolver(next: CallerResolver | undefined): void {
  resolver = next;
}

export async function resolveCaller(req: Request): Promise<Caller | null> {
  return (resolver ?? accountsCaller)(req);
}

/** Token, session, or single-user mode before the first sign-up (see docs/auth.md). */
function accountsCaller(req: Request): Promise<Caller | null> {
  return resolveFromRequest(req, {
    prisma: db(),
    getSession: (headers) => auth().api.getSession({ headers }),
    localCaller,
  });
}

let cached: Promise<Caller> | undefined;

/**
 * Single-user mode: the seeded local user and their membership in the default team. Looked up
 * once per process; the seed is what `npm start` runs before the web app listens.
 */
export async function localCaller(): Promise<Caller> {
  cached ??= (async () => {
    const membership = await db().membership.findFirst({ orderBy: { createdAt: 'asc' } });
    if (!membership) {
      cached = undefined;
      throw new UnavailableError('No user or team in the database yet: run `npm start` once (it migrates and seeds the local user).', 'not_seeded');
    }
    return { userId: membership.userId, teamId: membership.teamId, role: membershipRole(membership.role), via: 'local' as const };
  })();
  return cached;
}
