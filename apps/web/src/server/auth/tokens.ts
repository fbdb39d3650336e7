// API tokens per user and team: scoped (a subset of the owner's permissions; empty = all of the
// role), expiring, revocable, shown once. A token never holds more than its owner's current role.
import type { PrismaClient } from '@oscompose/db';
import { z } from 'zod';
import type { Caller } from './caller';
import { BadRequestError, NotFoundError } from '../errors';
import { recordAudit } from './audit';
import { PERMISSIONS, can, type Permission } from './permissions';
import { hashToken, newTokenText, tokenDisplayPrefix } from './tokenFormat';

export const CreateTokenBody = z.object({
  name: z.string().trim().min(1).max(80),
  scopes: z.array(z.string()).default([]),
  /** Days until it expires; null = never (operators' CI tokens). */
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(90),
});

export interface TokenDto {
  id: string;
  name: string;
  prefix: string;
  scopes: Permission[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  userId: string;
}

type Row = { id: string; name: string; prefix: string; scopes: string; expiresAt: Date | null; lastUsedAt: Date | null; revokedAt: Date | null; createdAt: Date; userId: string };

function parseScopes(text: string): Permission[] {
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v.filter((p): p is Permission => typeof p === 'string' && p in PERMISSIONS) : [];
  } catch {
    return [];
  }
}

function present(row: Row): TokenDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: parseScopes(row.scopes),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    userId: row.userId,
  };
}

/** Creates a token for (userId, teamId); the text is returned here and never again. */
export async function issueToken(
  prisma: PrismaClient,
  owner: { userId: string; teamId: string; role: Caller['role'] },
  input: z.input<typeof CreateTokenBody>,
): Promise<{ token: string; info: TokenDto }> {
  const body = CreateTokenBody.parse(input);
  const unknown = body.scopes.filter((s) => !(s in PERMISSIONS));
  if (unknown.length) throw new BadRequestError(`Unknown scope(s): ${unknown.join(', ')}. Scopes are permission names, e.g. build:read, build:create.`);
  const beyond = body.scopes.filter((s) => !can(owner.role, s as Permission));
  if (beyond.length) throw new BadRequestError(`Your role (${owner.role}) does not hold ${beyond.join(', ')}; a token cannot do more than you can.`);
  const token = newTokenText();
  const row = await prisma.apiToken.create({
    data: {
      userId: owner.userId,
      teamId: owner.teamId,
      name: body.name,
      tokenHash: hashToken(token),
      prefix: tokenDisplayPrefix(token),
      scopes: JSON.stringify(body.scopes),
      expiresAt: body.expiresInDays === null ? null : new Date(Date.now() + body.expiresInDays * 86_400_000),
    },
  });
  await recordAudit(prisma, { teamId: owner.teamId, actorId: owner.userId, action: 'token.create', target: row.prefix, data: { name: body.name, scopes: body.scopes } });
  return { token, info: present(row) };
}

/** The caller's own tokens in the current team; admins also see everyone else's (to revoke them). */
export async function listTokens(prisma: PrismaClient, caller: Caller): Promise<TokenDto[]> {
  const rows = await prisma.apiToken.findMany({
    where: { teamId: caller.teamId, ...(can(caller.role, 'team:manage') ? {} : { userId: caller.userId }) },
    orderBy: { createdAt: 'desc' },
  });
  return rows.map(present);
}

export async function revokeToken(prisma: PrismaClient, caller: Caller, id: string): Promise<void> {
  const row = await prisma.apiToken.findFirst({
    where: { id, teamId: caller.teamId, ...(can(caller.role, 'team:manage') ? {} : { userId: caller.userId }) },
  });
  if (!row) throw new NotFoundError(`API token ${id}`);
  if (!row.revokedAt) await prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'token.revoke', target: row.prefix });
}

/** The token's owner, team and scopes, or null when it is unknown, revoked or expired. */
export async function verifyToken(prisma: PrismaClient, text: string): Promise<{ userId: string; teamId: string; scopes: Permission[] } | null> {
  const row = await prisma.apiToken.findUnique({ where: { tokenHash: hashToken(text) } });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return null;
  // Last use is for the settings page; a minute's precision avoids a write per request.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
  }
  return { userId: row.userId, teamId: row.teamId, scopes: parseScopes(row.scopes) };
}
