// Registry credentials per team, for pulling from private registries. The secret is sealed
// (secretBox.ts) before it reaches the database and is never returned by the API.
import type { PrismaClient } from '@oscompose/db';
import { z } from 'zod';
import type { Caller } from './caller';
import { NotFoundError } from '../errors';
import { recordAudit } from './audit';
import { openSecret, sealSecret } from './secretBox';

export const PutCredentialBody = z.object({
  host: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9.-]+(:\d+)?$/, 'a registry host such as ghcr.io or registry.example.com:5000 (no scheme, no path)'),
  username: z.string().min(1).max(200),
  secret: z.string().min(1).max(4096),
});

export interface CredentialDto {
  id: string;
  host: string;
  username: string;
  updatedAt: string;
}

const present = (r: { id: string; host: string; username: string; updatedAt: Date }): CredentialDto => ({ id: r.id, host: r.host, username: r.username, updatedAt: r.updatedAt.toISOString() });

export async function listCredentials(prisma: PrismaClient, caller: Caller): Promise<CredentialDto[]> {
  const rows = await prisma.registryCredential.findMany({ where: { teamId: caller.teamId }, orderBy: { host: 'asc' } });
  return rows.map(present);
}

export async function putCredential(prisma: PrismaClient, caller: Caller, input: z.infer<typeof PutCredentialBody>, serverSecret: string): Promise<CredentialDto> {
  const sealed = sealSecret(input.secret, serverSecret);
  const row = await prisma.registryCredential.upsert({
    where: { teamId_host: { teamId: caller.teamId, host: input.host } },
    create: { teamId: caller.teamId, host: input.host, username: input.username, secret: sealed },
    update: { username: input.username, secret: sealed },
  });
  await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'credential.set', target: input.host, data: { username: input.username } });
  return present(row);
}

export async function deleteCredential(prisma: PrismaClient, caller: Caller, id: string): Promise<void> {
  const row = await prisma.registryCredential.findFirst({ where: { id, teamId: caller.teamId } });
  if (!row) throw new NotFoundError(`Registry credential ${id}`);
  await prisma.registryCredential.delete({ where: { id } });
  await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'credential.delete', target: row.host });
}

/**
 * For the worker: the team's credentials, opened. Read by teamId at build time so secrets never
 * travel in job payloads. Returns { host → { username, password } }.
 */
export async function registryAuthForTeam(prisma: PrismaClient, teamId: string, serverSecret: string): Promise<Record<string, { username: string; password: string }>> {
  const rows = await prisma.registryCredential.findMany({ where: { teamId } });
  return Object.fromEntries(
    rows.map((r) => {
      try {
        return [r.host, { username: r.username, password: openSecret(r.secret, serverSecret) }];
      } catch (err) {
        throw Object.assign(err as Error, { message: `Registry credential for ${r.host}: ${(err as Error).message}` });
      }
    }),
  );
}
