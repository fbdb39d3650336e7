// Who is calling: resolves a request to { userId, teamId, role }. The route wrapper is the only
// user. Until accounts land this is the seeded local user in the default team (single-user mode);
// the teams work replaces the resolver (session cookie, then `Authorization: Bearer <token>`).

import type { Role } from '../auth/permissions';
import { UnavailableError } from './errors';

export interface Caller {
  userId: string;
  teamId: string;
  role: Role;
  /** How the caller proved who they are: the local single-user mode, a session or an API token. */
  via: 'local' | 'session' | 'token';
}

/** Returns the caller, or null when the request carries no valid credentials (→ 401). */
export type CallerResolver = (req: Request) => Promise<Caller | null>;

let resolver: CallerResolver | undefined;

/** Installs the resolver (accounts/teams code calls this once at start-up; tests too). */
export function setCallerResolver(next: CallerResolver | undefined): void {
  resolver = next;
}

export async function resolveCaller(req: Request): Promise<Caller | null> {
  return (resolver ?? localCaller)(req);
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
