// Who is calling: { userId, teamId, role } and how they proved it. Every service takes one;
// resolveCaller.ts makes it from a request, and the route wrapper (http/route.ts) is its only user.

import type { Permission, Role } from './permissions';

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
