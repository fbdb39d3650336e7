// Netboot links: an unguessable token per build (or per composition: its latest succeeded build)
// that firmware fetches without a login, revocable. Creating or revoking one needs the team
// permission; using one needs only the token (docs/supply-chain.md#netboot).

import { randomBytes } from 'node:crypto';
import type { Caller } from '../auth/caller';
import { BadRequestError, NotFoundError } from '../errors';
import { recordAudit } from '../auth/audit';
import { buildDeps } from '../builds/deps';

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

export function netbootPath(token: string): string {
  return `/boot/${token}.ipxe`;
}

const newToken = () => randomBytes(24).toString('base64url');

type Target = { buildId: string } | { compositionId: string };

async function checkTarget(caller: Caller, target: Target) {
  const { db } = await buildDeps();
  if ('buildId' in target) {
    const b = await db.build.findFirst({ where: { id: target.buildId, teamId: caller.teamId }, include: { artifacts: true } });
    if (!b) throw new NotFoundError(`Build ${target.buildId}`);
    if (!b.artifacts.some((a) => a.format === 'kernel+initrd')) {
      throw new BadRequestError(`Build ${b.id} has no kernel+initrd artifacts to netboot; build it with the kernel+initrd format.`);
    }
  } else {
    const c = await db.composition.findFirst({ where: { id: target.compositionId, teamId: caller.teamId } });
    if (!c) throw new NotFoundError(`Composition ${target.compositionId}`);
  }
}

/** The target's active link, made when it has none. */
export async function createNetbootLink(caller: Caller, target: Target): Promise<{ token: string; path: string }> {
  await checkTarget(caller, target);
  const { db } = await buildDeps();
  const active = await db.netbootLink.findFirst({ where: { ...target, teamId: caller.teamId, revokedAt: null } });
  const link = active ?? (await db.netbootLink.create({ data: { ...target, teamId: caller.teamId, token: newToken(), createdById: caller.userId ?? null } }));
  if (!active) await recordAudit(db, { teamId: caller.teamId, actorId: caller.userId ?? null, action: 'netboot.create', target: 'buildId' in target ? target.buildId : target.compositionId }).catch(() => {});
  return { token: link.token, path: netbootPath(link.token) };
}

/** Revokes the target's links: their URLs answer 404 from now on. */
export async function revokeNetbootLinks(caller: Caller, target: Target): Promise<{ revoked: number }> {
  await checkTarget(caller, target).catch((e) => {
    if (e instanceof BadRequestError) return; // nothing to boot, but links may still be revoked
    throw e;
  });
  const { db } = await buildDeps();
  const res = await db.netbootLink.updateMany({ where: { ...target, teamId: caller.teamId, revokedAt: null }, data: { revokedAt: new Date() } });
  await recordAudit(db, { teamId: caller.teamId, actorId: caller.userId ?? null, action: 'netboot.revoke', target: 'buildId' in target ? target.buildId : target.compositionId }).catch(() => {});
  return { revoked: res.count };
}

/** The build's (or composition's) active link's path for the build page (null when none). */
export async function activeNetbootPath(target: Target): Promise<string | null> {
  const link = await (await buildDeps()).db.netbootLink.findFirst({ where: { ...target, revokedAt: null } });
  return link ? netbootPath(link.token) : null;
}

/**
 * The build a token boots: its build, or its composition's latest succeeded build with
 * kernel+initrd artifacts. Null for an unknown or revoked token (the route answers 404).
 */
export async function netbootBuild(token: string) {
  if (!TOKEN_PATTERN.test(token)) return null;
  const { db } = await buildDeps();
  const link = await db.netbootLink.findUnique({ where: { token } });
  if (!link || link.revokedAt) return null;
  const where = link.buildId
    ? { id: link.buildId, teamId: link.teamId }
    : { teamId: link.teamId, status: 'succeeded', compositionVersion: { compositionId: link.compositionId! }, artifacts: { some: { format: 'kernel+initrd' } } };
  return db.build.findFirst({ where, orderBy: { finishedAt: 'desc' }, include: { artifacts: true } });
}
