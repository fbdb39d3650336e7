// Team administration: the caller's teams, members and roles, invitations by link. Every function
// takes the caller and works only inside caller.teamId: another team's ids answer 404.
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@oscompose/db';
import { z } from 'zod';
import type { Caller } from './caller';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors';
import { recordAudit } from './audit';
import { ROLES, isRole, permissionsOf, roleRank, type Role } from './permissions';

export const RoleSchema = z.enum(ROLES);

export interface TeamSummary {
  id: string;
  name: string;
  slug: string;
  role: Role;
}

export async function myTeams(prisma: PrismaClient, caller: Caller) {
  const memberships = await prisma.membership.findMany({ where: { userId: caller.userId }, include: { team: true }, orderBy: { createdAt: 'asc' } });
  const user = await prisma.user.findUnique({ where: { id: caller.userId }, select: { id: true, email: true, name: true } });
  const teams: TeamSummary[] = memberships.map((m) => ({ id: m.team.id, name: m.team.name, slug: m.team.slug, role: isRole(m.role) ? m.role : 'viewer' }));
  return {
    user,
    via: caller.via,
    current: teams.find((t) => t.id === caller.teamId) ?? null,
    role: caller.role,
    permissions: permissionsOf(caller.role).filter((p) => !caller.scopes || caller.scopes.length === 0 || caller.scopes.includes(p)),
    teams,
  };
}

/** Makes another of the caller's teams the session's active team. */
export async function switchTeam(prisma: PrismaClient, caller: Caller, teamId: string): Promise<void> {
  const m = await prisma.membership.findFirst({ where: { userId: caller.userId, teamId } });
  if (!m) throw new NotFoundError(`Team ${teamId}`);
  if (caller.via !== 'session' || !caller.sessionId) {
    if (teamId === caller.teamId) return;
    throw new BadRequestError('Only a browser session has an active team; an API token belongs to one team.');
  }
  await prisma.session.update({ where: { id: caller.sessionId }, data: { activeOrganizationId: teamId } });
}

export async function listMembers(prisma: PrismaClient, caller: Caller) {
  const rows = await prisma.membership.findMany({ where: { teamId: caller.teamId }, include: { user: { select: { id: true, email: true, name: true } } }, orderBy: { createdAt: 'asc' } });
  return rows.map((m) => ({ id: m.id, role: m.role, createdAt: m.createdAt.toISOString(), user: m.user }));
}

/** Only an owner hands out or takes away ownership; admins manage admins, members and viewers. */
function assertMayAssign(caller: Caller, from: Role | null, to: Role | null): void {
  const top = Math.max(from ? roleRank(from) : -1, to ? roleRank(to) : -1);
  if (top >= roleRank('owner') && caller.role !== 'owner') throw new ForbiddenError('Only an owner can grant, change or remove the owner role.');
}

async function assertNotLastOwner(prisma: PrismaClient, teamId: string, membership: { role: string }): Promise<void> {
  if (membership.role !== 'owner') return;
  const owners = await prisma.membership.count({ where: { teamId, role: 'owner' } });
  if (owners <= 1) throw new BadRequestError('A team needs at least one owner: make someone else owner first.', undefined, 'last_owner');
}

export async function changeRole(prisma: PrismaClient, caller: Caller, membershipId: string, role: Role) {
  const m = await prisma.membership.findFirst({ where: { id: membershipId, teamId: caller.teamId } });
  if (!m) throw new NotFoundError(`Member ${membershipId}`);
  assertMayAssign(caller, isRole(m.role) ? m.role : null, role);
  if (role !== 'owner') await assertNotLastOwner(prisma, caller.teamId, m);
  await prisma.membership.update({ where: { id: m.id }, data: { role } });
  await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'member.role', target: m.userId, data: { from: m.role, to: role } });
  return { id: m.id, role };
}

export async function removeMember(prisma: PrismaClient, caller: Caller, membershipId: string): Promise<void> {
  const m = await prisma.membership.findFirst({ where: { id: membershipId, teamId: caller.teamId } });
  if (!m) throw new NotFoundError(`Member ${membershipId}`);
  assertMayAssign(caller, isRole(m.role) ? m.role : null, null);
  await assertNotLastOwner(prisma, caller.teamId, m);
  await prisma.membership.delete({ where: { id: m.id } });
  // Their tokens for this team go with the membership.
  await prisma.apiToken.updateMany({ where: { teamId: caller.teamId, userId: m.userId, revokedAt: null }, data: { revokedAt: new Date() } });
  await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'member.remove', target: m.userId, data: { role: m.role } });
}

export const CreateInvitationBody = z.object({
  email: z.string().trim().toLowerCase().email(),
  role: RoleSchema.default('member'),
  expiresInDays: z.number().int().min(1).max(30).default(7),
});

export async function createInvitation(prisma: PrismaClient, caller: Caller, input: z.infer<typeof CreateInvitationBody>, publicUrl: string) {
  assertMayAssign(caller, null, input.role);
  // The id is the secret in the link: random, not a guessable cuid.
  const id = randomBytes(18).toString('base64url');
  const inv = await prisma.invitation.create({
    data: { id, teamId: caller.teamId, email: input.email, role: input.role, inviterId: caller.userId, expiresAt: new Date(Date.now() + input.expiresInDays * 86_400_000) },
  });
  await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'invitation.create', target: input.email, data: { role: input.role } });
  return { id: inv.id, email: inv.email, role: inv.role, expiresAt: inv.expiresAt.toISOString(), url: `${publicUrl}/invite/${inv.id}` };
}

export async function listInvitations(prisma: PrismaClient, caller: Caller) {
  const rows = await prisma.invitation.findMany({ where: { teamId: caller.teamId, status: 'pending' }, orderBy: { createdAt: 'desc' } });
  return rows.map((i) => ({ id: i.id, email: i.email, role: i.role, status: i.status, expiresAt: i.expiresAt.toISOString() }));
}

export async function cancelInvitation(prisma: PrismaClient, caller: Caller, id: string): Promise<void> {
  const inv = await prisma.invitation.findFirst({ where: { id, teamId: caller.teamId } });
  if (!inv) throw new NotFoundError(`Invitation ${id}`);
  await prisma.invitation.update({ where: { id }, data: { status: 'canceled' } });
  await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'invitation.cancel', target: inv.email });
}

/** The signed-in user joins the invitation's team; the invitation must be for their e-mail. */
export async function acceptInvitation(prisma: PrismaClient, userId: string, id: string) {
  const user = await prisma.user.findUnique({ where: { id: userId } });
  const inv = await prisma.invitation.findFirst({ where: { id, status: 'pending', expiresAt: { gt: new Date() } } });
  // Wrong e-mail answers like a missing invitation: a link does not reveal a team to others.
  if (!user || !inv || inv.email !== user.email.toLowerCase()) throw new NotFoundError('Invitation (pending, for your e-mail address)');
  const role: Role = isRole(inv.role) ? inv.role : 'member';
  await prisma.membership.upsert({
    where: { teamId_userId: { teamId: inv.teamId, userId } },
    create: { teamId: inv.teamId, userId, role },
    update: {},
  });
  await prisma.invitation.update({ where: { id }, data: { status: 'accepted' } });
  await recordAudit(prisma, { teamId: inv.teamId, actorId: userId, action: 'member.join', target: user.email, data: { role } });
  return { teamId: inv.teamId, role };
}
