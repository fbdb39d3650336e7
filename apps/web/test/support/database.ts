// A test file's web app over its own database: SQLite in the test's directory with every
// migration applied, and the web app's own Prisma client (server/db.ts) handed back, so the test
// and the route handlers share one client, as in the running app. Call it after the test has set
// its environment: the client is made from the web config, read once on first use.
import path from 'node:path';
import type { PrismaClient } from '@oscompose/db';
import type { Role } from '../../src/server/auth/permissions';

export async function useWebDatabase(dir: string): Promise<PrismaClient> {
  const url = `file:${path.join(dir, 'db.sqlite')}`;
  process.env.DATABASE_URL = url;
  const { applyMigrations } = await import('@oscompose/db');
  await applyMigrations(url);
  const { db } = await import('../../src/server/db');
  return db();
}

export interface MemberOptions {
  teamId: string;
  role: Role;
  name: string;
  email: string;
  /** Name of the member's API token. */
  tokenName: string;
  /** Add the credential account a real sign-up makes (it ends single-user mode). */
  signedUp?: boolean;
}

/** A user in a team, with an API token of their role. */
export async function addMember(prisma: PrismaClient, o: MemberOptions): Promise<{ userId: string; token: string }> {
  const { issueToken } = await import('../../src/server/auth/tokens');
  const user = await prisma.user.create({ data: { name: o.name, email: o.email } });
  if (o.signedUp) await prisma.account.create({ data: { accountId: user.id, providerId: 'credential', userId: user.id, password: 'not-used' } });
  await prisma.membership.create({ data: { teamId: o.teamId, userId: user.id, role: o.role } });
  const { token } = await issueToken(prisma, { userId: user.id, teamId: o.teamId, role: o.role }, { name: o.tokenName });
  return { userId: user.id, token };
}
