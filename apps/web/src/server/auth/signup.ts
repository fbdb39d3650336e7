// Who may create an account, and where a new account lands. First run: while no user has a
// password, the app runs in single-user mode (the seeded local user) and the first sign-up
// becomes owner of the first team, taking over its compositions and builds. Later sign-ups need
// a pending invitation for their e-mail, unless OSCOMPOSE_OPEN_SIGNUP=1 (each gets its own team).

import type { PrismaClient } from '@oscompose/db';
import { recordAudit } from './audit';
import { webConfig } from '../config';

/** True once any user can sign in with a password: single-user mode is over. */
export async function hasAccounts(prisma: PrismaClient, exceptUserId?: string): Promise<boolean> {
  return (await prisma.account.count({ where: { providerId: 'credential', ...(exceptUserId ? { userId: { not: exceptUserId } } : {}) } })) > 0;
}

function openSignup(): boolean {
  return webConfig().openSignup;
}

async function pendingInvitation(prisma: PrismaClient, email: string) {
  return prisma.invitation.findFirst({ where: { email: email.toLowerCase(), status: 'pending', expiresAt: { gt: new Date() } } });
}

/** null when the e-mail may sign up, else the reason and the fix. */
export async function mayCreateUser(prisma: PrismaClient, email: string): Promise<string | null> {
  if (!(await hasAccounts(prisma))) return null;
  if (openSignup()) return null;
  if (await pendingInvitation(prisma, email)) return null;
  return 'Sign-up is by invitation: ask a team admin for an invitation link for this e-mail address (or the operator sets OSCOMPOSE_OPEN_SIGNUP=1).';
}

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'team'
  );
}

export async function uniqueSlug(prisma: PrismaClient, name: string): Promise<string> {
  const base = slugify(name);
  for (let i = 0; ; i++) {
    const slug = i === 0 ? base : `${base}-${i + 1}`;
    if (!(await prisma.team.findUnique({ where: { slug } }))) return slug;
  }
}

/**
 * Runs after better-auth created the user (and, in 1.7, its credential account), so "first"
 * means: no other user has a password.
 */
export async function afterSignUp(prisma: PrismaClient, user: { id: string; email: string; name: string }): Promise<void> {
  if (!(await hasAccounts(prisma, user.id))) {
    // The local owner's team (seeded by `npm start`), not the starter team that owns the public
    // starter compositions.
    const team = (await prisma.membership.findFirst({ orderBy: { createdAt: 'asc' }, include: { team: true } }))?.team ??
      (await prisma.team.findFirst({ where: { slug: { not: 'oscompose' } }, orderBy: { createdAt: 'asc' } })) ?? (await prisma.team.create({ data: { name: 'Default', slug: await uniqueSlug(prisma, 'default') } }));
    await prisma.membership.upsert({
      where: { teamId_userId: { teamId: team.id, userId: user.id } },
      create: { teamId: team.id, userId: user.id, role: 'owner' },
      update: { role: 'owner' },
    });
    await recordAudit(prisma, { teamId: team.id, actorId: user.id, action: 'team.claim', target: user.email, data: { role: 'owner', firstRun: true } });
    return;
  }
  if (await pendingInvitation(prisma, user.email)) return; // joins through the invitation link
  const team = await prisma.team.create({ data: { name: `${user.name || user.email}'s team`, slug: await uniqueSlug(prisma, user.name || user.email.split('@')[0]!) } });
  await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role: 'owner' } });
  await recordAudit(prisma, { teamId: team.id, actorId: user.id, action: 'team.create', target: team.slug });
}
