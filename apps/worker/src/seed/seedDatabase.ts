// Writes the starter content into the database: public catalog entries (starter images built
// from Debian packages, LinuxKit's remote images) and the default compositions, owned by the
// built-in "oscompose" team and public. Idempotent: running it again updates in place and adds a
// composition version only when the spec text changed.
import type { PrismaClient } from '@oscompose/db';

/** The starter team that owns the default (public) compositions. */
export const STARTER_TEAM = { slug: 'oscompose', name: 'oscompose starter' };

export interface SeedCatalogEntry {
  reference: string;
  name: string;
  kind: string;
  title: string;
  description: string;
  defaultConfig: Record<string, unknown>;
  pinnedDigest: string | null;
  /** Known image tags of this image name. */
  tags: string[];
  source: 'starter' | 'remote';
  size: number | null;
}

export interface SeedComposition {
  name: string;
  description: string;
  specText: string;
}

export interface SeedInput {
  catalog: SeedCatalogEntry[];
  compositions: SeedComposition[];
}

export interface SeedResult {
  catalogCreated: number;
  catalogUpdated: number;
  compositionsCreated: number;
  compositionVersionsAdded: number;
}

export async function seedDatabase(prisma: PrismaClient, input: SeedInput): Promise<SeedResult> {
  const result: SeedResult = { catalogCreated: 0, catalogUpdated: 0, compositionsCreated: 0, compositionVersionsAdded: 0 };

  for (const e of input.catalog) {
    const data = {
      name: e.name,
      kind: e.kind,
      title: e.title,
      description: e.description,
      defaultConfig: JSON.stringify(e.defaultConfig),
      pinnedDigest: e.pinnedDigest,
      tags: JSON.stringify(e.tags),
      source: e.source,
      size: e.size === null ? null : BigInt(e.size),
      deprecated: false,
    };
    // Public entries have teamId null, which a compound unique key cannot match: find, then write.
    const existing = await prisma.catalogEntry.findFirst({ where: { teamId: null, reference: e.reference } });
    if (existing) {
      await prisma.catalogEntry.update({ where: { id: existing.id }, data });
      result.catalogUpdated++;
    } else {
      await prisma.catalogEntry.create({ data: { ...data, reference: e.reference } });
      result.catalogCreated++;
    }
  }

  if (input.compositions.length === 0) return result;
  const team = await prisma.team.upsert({
    where: { slug: STARTER_TEAM.slug },
    update: {},
    create: { slug: STARTER_TEAM.slug, name: STARTER_TEAM.name },
  });
  for (const c of input.compositions) {
    const existing = await prisma.composition.findFirst({
      where: { teamId: team.id, name: c.name, forkedFromId: null },
      include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
    });
    if (!existing) {
      await prisma.composition.create({
        data: {
          teamId: team.id,
          name: c.name,
          description: c.description,
          visibility: 'public',
          latestVersion: 1,
          versions: { create: { version: 1, specText: c.specText, message: 'starter composition' } },
        },
      });
      result.compositionsCreated++;
      continue;
    }
    if (existing.versions[0]?.specText === c.specText) continue;
    const next = existing.latestVersion + 1;
    await prisma.$transaction([
      prisma.compositionVersion.create({
        data: { compositionId: existing.id, version: next, specText: c.specText, message: 'starter composition updated' },
      }),
      prisma.composition.update({ where: { id: existing.id }, data: { latestVersion: next, description: c.description } }),
    ]);
    result.compositionVersionsAdded++;
  }
  return result;
}

/** The local owner of a fresh install (single-user mode until the first sign-up; docs/auth.md). */
export const LOCAL_OWNER = { email: 'local@oscompose.local', name: 'Local user', team: { slug: 'default', name: 'Default' } };

/**
 * Gives a fresh install someone to act as: while nobody belongs to any team, creates the
 * password-less local user as owner of the `Default` team. The first sign-up takes that team
 * over. Does nothing once any membership exists, so it never re-creates what an admin removed.
 */
export async function ensureLocalOwner(prisma: PrismaClient): Promise<boolean> {
  if (await prisma.membership.findFirst({ select: { id: true } })) return false;
  const team = await prisma.team.upsert({
    where: { slug: LOCAL_OWNER.team.slug },
    update: {},
    create: { slug: LOCAL_OWNER.team.slug, name: LOCAL_OWNER.team.name },
  });
  const user = await prisma.user.upsert({
    where: { email: LOCAL_OWNER.email },
    update: {},
    create: { email: LOCAL_OWNER.email, name: LOCAL_OWNER.name },
  });
  await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role: 'owner' } });
  return true;
}

/** `name@sha256:…` or `name:tag@sha256:…` → the digest; otherwise null. */
export function digestOf(reference: string): string | null {
  return /@(sha256:[0-9a-f]{64})$/.exec(reference)?.[1] ?? null;
}

/** `repo:tag` or `repo:tag@sha256:…` → tag; null when there is none. */
export function tagOf(reference: string): string | null {
  const withoutDigest = reference.replace(/@sha256:[0-9a-f]+$/, '');
  const lastSlash = withoutDigest.lastIndexOf('/');
  const m = /:([^:]+)$/.exec(withoutDigest.slice(lastSlash + 1));
  return m ? m[1]! : null;
}
