// Registries a team admin allowed image references to name (Settings → Registries), on top of the
// operator's OSCOMPOSE_ALLOWED_REGISTRIES. A team entry only lets specs name the host: its
// connections still go to public addresses only (the engine's RegistryPolicy), so an entry can
// never open the server's own network; private hosts are the operator's to allow.
import { teamRegistryEntries, type PrismaClient } from '@oscompose/db';
import { isPublicAddress, isRegistryHost, normaliseRegistryHost, registryAllowed, splitHostPort, teamRegistryPolicy, type RegistryPolicy } from '@oscompose/engine';
import { isIP } from 'node:net';
import { z } from 'zod';
import { recordAudit } from '../auth/audit';
import type { Caller } from '../auth/caller';
import { BadRequestError, ConflictError, NotFoundError } from '../errors';
import { webConfig } from '../config';

export const AddRegistryBody = z.object({
  host: z
    .string()
    .trim()
    .max(255)
    .transform(normaliseRegistryHost)
    .refine(isRegistryHost, 'a registry host as image references write it: ghcr.io, registry.example.com:5000 (no path)'),
});

export interface TeamRegistryDto {
  id: string;
  host: string;
  createdAt: string;
}

export interface RegistriesDto {
  /** What the operator allowed for every team (OSCOMPOSE_ALLOWED_REGISTRIES, the own registry). */
  operator: string[];
  /** What this team's admins added. */
  team: TeamRegistryDto[];
}

const present = (r: { id: string; host: string; createdAt: Date }): TeamRegistryDto => ({ id: r.id, host: r.host, createdAt: r.createdAt.toISOString() });

/** The policy a team's plans, builds and catalog additions run under. */
export async function registryPolicyFor(prisma: PrismaClient, teamId: string, config: { allowedRegistries: string[]; registry: string } = webConfig()): Promise<RegistryPolicy> {
  // Uploads live in the shared image store as <registry>/<team slug>/…: each team names only its own.
  return teamRegistryPolicy({ operator: config.allowedRegistries, ownRegistry: config.registry, ...(await teamRegistryEntries(prisma, teamId)) });
}

export async function listRegistries(prisma: PrismaClient, caller: Caller): Promise<RegistriesDto> {
  const rows = await prisma.teamRegistry.findMany({ where: { teamId: caller.teamId }, orderBy: { host: 'asc' } });
  return { operator: webConfig().allowedRegistries, team: rows.map(present) };
}

/** Why a host cannot be a team entry (it names the server's own network), or undefined. */
function privateHostProblem(host: string): string | undefined {
  const { host: name } = splitHostPort(host);
  const local = name === 'localhost' || name.endsWith('.localhost') || (isIP(name) !== 0 && !isPublicAddress(name));
  if (!local) return undefined;
  return `${host} is on the server's own network (loopback or a private address); a team cannot allow that. The operator can, for exactly this host:port, in OSCOMPOSE_ALLOWED_REGISTRIES.`;
}

export async function addRegistry(prisma: PrismaClient, caller: Caller, input: z.infer<typeof AddRegistryBody>): Promise<TeamRegistryDto> {
  if (registryAllowed({ operator: webConfig().allowedRegistries }, input.host)) throw new ConflictError(`${input.host} is already allowed for every team by the operator.`);
  const problem = privateHostProblem(input.host);
  if (problem) throw new BadRequestError(problem);
  const existing = await prisma.teamRegistry.findFirst({ where: { teamId: caller.teamId, host: input.host } });
  if (existing) throw new ConflictError(`${input.host} is already in the team's registries.`);
  const row = await prisma.teamRegistry.create({ data: { teamId: caller.teamId, host: input.host, createdById: caller.userId } });
  await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'registry.add', target: input.host });
  return present(row);
}

export async function removeRegistry(prisma: PrismaClient, caller: Caller, id: string): Promise<void> {
  const row = await prisma.teamRegistry.findFirst({ where: { id, teamId: caller.teamId } });
  if (!row) throw new NotFoundError(`Registry ${id}`);
  await prisma.teamRegistry.delete({ where: { id } });
  await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'registry.remove', target: row.host });
}
