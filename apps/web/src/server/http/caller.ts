// Who is calling: resolves a request to { userId, teamId, role }. The route wrapper is the only
// user. The default resolver (auth/resolveCaller.ts) reads `Authorization: Bearer <token>`, then
// the session cookie, and falls back to the seeded local user only while nobody has an account.

import type { Permission, Role } from '../auth/permissions';
import { UnavailableError } from './errors';

export interface Caller {
  userId: string;
  teamId: string;
  role: Role;
  /** How the caller proved who they are: the local single-user mode, a session or an API token. */
  via: 'local' | 'session' | 'token';
  /** API tokens: the permissions the token was limited to (empty or absent = all of the role). */
  scopes?: Permission[];
  /** Sessions: the session row, to switch the active team. */
  sessionId?: string;
  /** Signed in but in no team yet (only routes declared `teamless` accept this caller). */
  teamless?: boolean;
}

/** Returns the caller, or null when the request carries no valid credentials (→ 401). */
export type CallerResolver = (req: Request) => Promise<Caller | null>;

let resolver: CallerResolver | undefined;

/** Installs the resolver (accounts/teams code calls this once at start-up; tests too). */
export function setCallerResolver(next: CallerResolver | undefined): void {
  resolver = next;
}

export async function resolveCaller(req: Request): Promise<Caller | null> {
  return (resolver ?? accountsCaller)(req);
}

/** Token, session, or single-user mode before the first sign-up (see docs/auth.md). */
async function accountsCaller(req: Request): Promise<Caller | null> {
  const [{ resolveFromRequest }, { auth }, { db }] = await Promise.all([import('../auth/resolveCaller'), import('../auth/betterAuth'), import('../db')]);
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
    const { prisma } = await import('@oscompose/db');
    const db = prisma as unknown as {
      membership: {
        findFirst(args: unknown): Promise<{ userId: string; teamId: string; role: string } | null>;
      };
    };
    const membership = await db.membership.findFirst({ orderBy: { createdAt: 'asc' } });
    if (!membership) {
      cached = undefined;
      throw new UnavailableError('No user or team in the database yet: run `npm start` once (it migrates and seeds the local user).', 'not_seeded');
    }
    return {
      userId: membership.userId,
      teamId: membership.teamId,
      role: (['viewer', 'member', 'admin', 'owner'].includes(membership.role) ? membership.role : 'owner') as Role,
      via: 'local' as const,
    };
  })();
  return cached;
}
