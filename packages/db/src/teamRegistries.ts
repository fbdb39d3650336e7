// What a team's registry policy is made of in the database (docs/security.md): the hosts its
// admins added (Settings → Registries) and its slug, its namespace on the own registry. The web
// app (plans, catalog additions) and the worker (builds) read it here and make the policy with the
// engine's teamRegistryPolicy, so both judge a reference by the same rows.
import type { PrismaClient } from './client';

export async function teamRegistryEntries(db: PrismaClient, teamId: string): Promise<{ team: string[]; teamSlug?: string }> {
  const [rows, team] = await Promise.all([
    db.teamRegistry.findMany({ where: { teamId }, select: { host: true } }),
    db.team.findUnique({ where: { id: teamId }, select: { slug: true } }),
  ]);
  return { team: rows.map((r) => r.host), ...(team ? { teamSlug: team.slug } : {}) };
}
