// Turns a request into a caller: `Authorization: Bearer osc_…` (API token), else the better-auth
// session cookie, else — only while nobody has an account yet — the seeded local user
// (single-user mode, so a fresh `npm start` is usable before the first sign-up).
import type { PrismaClient } from '@oscompose/db';
import type { Caller } from '../http/caller';
import { isRole } from './permissions';
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

function roleOf(value: string): Caller['role'] {
  return isRole(value) ? value : 'viewer';
}

export async function resolveFromRequest(req: Request, deps: ResolveDeps): Promise<Caller | null> {
  const { prisma } = deps;
  const authz = req.headers.get('authorization');
  if (authz && /^bearer\s+/i.test(authz)) {
    const found = await verifyToken(prisma, authz.replace(/^bearer\s+/i, '').trim());
    if (!found) return null;
    const m = await prisma.membership.findFirst({ where: { userId: found.userId, teamId: found.teamId } });
    if (!m) return null; // removed from the team: the token died with the membership
    return { userId: found.userId, teamId: found.teamId, role: roleOf(m.role), via: 'token', scopes: found.scopes };
  }

  const got = await deps.getSession(req.headers).catch(() => null);
  if (got) {
    const { session } = got;
    const memberships = await prisma.membership.findMany({ where: { userId: session.userId }, orderBy: { createdAt: 'asc' } });
    const m = memberships.find((x) => x.teamId === session.activeOrganizationId) ?? memberships[0];
    if (!m) return { userId: session.userId, teamId: '', role: 'viewer', via: 'session', sessionId: session.id, teamless: true };
    return { userId: session.userId, teamId: m.teamId, role: roleOf(m.role), via: 'session', sessionId: session.id };
  }

  if (!accountsSeen) accountsSeen = await hasAccounts(prisma);
  if (!accountsSeen) return deps.localCaller();
  return null;
}
