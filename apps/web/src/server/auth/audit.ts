// The audit trail: who built, deleted, changed roles or credentials. Written by the services that
// do those things, read by team admins (settings → audit log, GET /api/v1/audit).

import type { PrismaClient } from '@oscompose/db';

export interface AuditInput {
  teamId: string | null;
  actorId: string | null;
  /** noun.verb, e.g. build.create, member.role, credential.delete */
  action: string;
  target?: string | null;
  data?: Record<string, unknown>;
}

export async function recordAudit(prisma: PrismaClient, event: AuditInput): Promise<void> {
  await prisma.auditEvent.create({
    data: {
      teamId: event.teamId,
      actorId: event.actorId,
      action: event.action,
      target: event.target ?? null,
      data: JSON.stringify(event.data ?? {}),
    },
  });
}

export interface AuditEventDto {
  id: string;
  at: string;
  action: string;
  target: string | null;
  actor: { id: string; email: string; name: string } | null;
  data: Record<string, unknown>;
}

export async function listAudit(prisma: PrismaClient, teamId: string, opts: { limit: number; before?: string }): Promise<AuditEventDto[]> {
  const rows = await prisma.auditEvent.findMany({
    where: { teamId, ...(opts.before ? { at: { lt: new Date(opts.before) } } : {}) },
    orderBy: { at: 'desc' },
    take: opts.limit,
    include: { actor: { select: { id: true, email: true, name: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    action: r.action,
    target: r.target,
    actor: r.actor,
    data: safeJson(r.data),
  }));
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}
