// Compositions: a team's saved specs, each save a new immutable version. A version keeps the
// boot expectations next to its spec (what a good boot looks like), never inside the YAML.
import { db } from '../db';
import { parseSpec } from '@oscompose/spec';
import { BootExpectationsSchema, expectationsFromColumn, expectationsToColumn, type BootExpectations } from '@oscompose/bootcheck/expectations';
import { BadRequestError, NotFoundError } from '../errors';
import type { Caller } from '../auth/caller';

export interface CompositionSummaryDto {
  id: string;
  name: string;
  description: string;
  latestVersion: number;
  updatedAt: string;
  visibility: string;
  /** The owning team: another team's id marks a public composition the caller may fork. */
  teamId: string;
}

function summary(c: { id: string; name: string; description: string; latestVersion: number; updatedAt: Date; visibility: string; teamId: string }): CompositionSummaryDto {
  return { id: c.id, name: c.name, description: c.description, latestVersion: c.latestVersion, updatedAt: c.updatedAt.toISOString(), visibility: c.visibility, teamId: c.teamId };
}

/** The column text for expectations (validated by the route): canonical JSON, or null for none. */
export function bootExpectationsColumn(e: BootExpectations | null | undefined): string | null {
  return expectationsToColumn(BootExpectationsSchema.parse(e ?? {}));
}

/** What a version's column holds, as the API returns it (null: nothing expected beyond a boot). */
export function readBootExpectations(text: string | null | undefined): BootExpectations | null {
  return expectationsFromColumn(text);
}

/** A composition may be saved while incomplete, but not when its YAML does not even parse. */
function assertParses(spec: string): void {
  const { problems } = parseSpec(spec);
  const syntax = problems.filter((p) => p.severity === 'error' && p.path.length === 0);
  if (syntax.length) {
    throw new BadRequestError('The spec is not valid YAML; fix the marked lines, then save.', syntax.map((p) => ({ line: p.line, col: p.col, message: p.message, severity: 'error' as const })), 'invalid_spec');
  }
}

export async function listCompositions(caller: Caller): Promise<CompositionSummaryDto[]> {
  const rows = await db().composition.findMany({
    where: { OR: [{ teamId: caller.teamId }, { visibility: 'public' }] },
    orderBy: { updatedAt: 'desc' },
  });
  return rows.map(summary);
}

async function findVisible(caller: Caller, id: string) {
  const row = await db().composition.findFirst({ where: { id, OR: [{ teamId: caller.teamId }, { visibility: 'public' }] } });
  if (!row) throw new NotFoundError(`Composition ${id}`);
  return row;
}

export async function getComposition(caller: Caller, id: string) {
  const row = await findVisible(caller, id);
  const versions = await db().compositionVersion.findMany({
    where: { compositionId: id },
    orderBy: { version: 'desc' },
    include: { author: { select: { id: true, name: true } } },
  });
  return {
    ...summary(row),
    spec: versions[0]?.specText ?? '',
    bootCheck: readBootExpectations(versions[0]?.bootExpectations),
    versions: versions.map((v) => ({ version: v.version, createdAt: v.createdAt.toISOString(), author: v.author, message: v.message })),
  };
}

export async function getCompositionVersion(caller: Caller, id: string, version: number) {
  await findVisible(caller, id);
  const v = await db().compositionVersion.findUnique({
    where: { compositionId_version: { compositionId: id, version } },
    include: { author: { select: { id: true, name: true } } },
  });
  if (!v) throw new NotFoundError(`Version ${version} of composition ${id}`);
  return { version: v.version, spec: v.specText, bootCheck: readBootExpectations(v.bootExpectations), createdAt: v.createdAt.toISOString(), author: v.author, message: v.message };
}

export async function createComposition(
  caller: Caller,
  input: { name: string; spec: string; description?: string; forkedFromId?: string; bootCheck?: BootExpectations | null },
) {
  assertParses(input.spec);
  const row = await db().composition.create({
    data: {
      teamId: caller.teamId,
      name: input.name,
      description: input.description ?? '',
      createdById: caller.userId,
      forkedFromId: input.forkedFromId ?? null,
      latestVersion: 1,
      versions: { create: { version: 1, specText: input.spec, bootExpectations: bootExpectationsColumn(input.bootCheck), authorId: caller.userId, message: input.forkedFromId ? 'duplicated' : 'created' } },
    },
  });
  return { ...summary(row), version: 1 };
}

/**
 * Saves a new version (only when the spec text or the boot expectations changed) and applies
 * name/description/visibility. bootCheck absent keeps the latest version's expectations; null clears them.
 */
export async function updateComposition(
  caller: Caller,
  id: string,
  input: { spec?: string; message?: string; name?: string; description?: string; visibility?: 'team' | 'public'; bootCheck?: BootExpectations | null },
) {
  const row = await db().composition.findFirst({ where: { id, teamId: caller.teamId } });
  if (!row) throw new NotFoundError(`Composition ${id}`);
  if (input.spec !== undefined) assertParses(input.spec);
  return db().$transaction(async (tx) => {
    const latest = await tx.compositionVersion.findFirst({ where: { compositionId: id }, orderBy: { version: 'desc' } });
    let version = row.latestVersion;
    const specText = input.spec ?? latest?.specText ?? '';
    const expectations = input.bootCheck !== undefined ? bootExpectationsColumn(input.bootCheck) : (latest?.bootExpectations ?? null);
    const asked = input.spec !== undefined || input.bootCheck !== undefined;
    if (asked && (specText !== latest?.specText || expectations !== (latest?.bootExpectations ?? null))) {
      version = row.latestVersion + 1;
      await tx.compositionVersion.create({ data: { compositionId: id, version, specText, bootExpectations: expectations, authorId: caller.userId, message: input.message ?? '' } });
    }
    const updated = await tx.composition.update({
      where: { id },
      data: {
        latestVersion: version,
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.visibility !== undefined ? { visibility: input.visibility } : {}),
      },
    });
    return { ...summary(updated), version };
  });
}

export async function duplicateComposition(caller: Caller, id: string, name?: string) {
  const source = await getComposition(caller, id);
  return createComposition(caller, { name: name ?? `${source.name} (copy)`, spec: source.spec, bootCheck: source.bootCheck, description: source.description, forkedFromId: id });
}
