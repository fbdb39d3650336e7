// Submitting a build: validate the spec (line/column problems), write the Build row, enqueue
// { buildId } with jobId = build id. The worker resolves, builds or serves it from the cache.

import { createHash } from 'node:crypto';
import { buildState } from '@oscompose/db';
import { enqueueBuild } from '@oscompose/queue';
import { SpecError, parseServerSpec } from '@oscompose/spec';
import { BootExpectationsSchema, expectationsToColumn } from '@oscompose/bootcheck/expectations';
import { z } from 'zod';
import type { Caller } from '../auth/caller';
import { BadRequestError, NotFoundError, UnavailableError } from '../errors';
import { buildDeps } from './deps';
import { buildUrl } from './present';
import { recordAudit } from '../auth/audit';
import { SpecText } from '../specs/specText';
import { readBootExpectations } from '../compositions/compositions';

/** LinuxKit format names (and ours): lower-case words joined by - or +. The worker checks availability. */
const formatName = z.string().regex(/^[a-z0-9][a-z0-9+-]{0,31}$/, 'a format name like kernel+initrd, iso-bios, raw-efi, tar');

export const CreateBuildInput = z
  .object({
    spec: SpecText.min(1).optional(),
    compositionId: z.string().min(1).optional(),
    compositionVersion: z.number().int().positive().optional(),
    formats: z.array(formatName).min(1, 'choose at least one format').max(16),
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" and "-" (it names the artifact files)').optional(),
    fresh: z.boolean().optional(),
    priority: z.number().int().min(-100).max(100).optional(),
    /** What a good boot looks like (docs/pipeline.md "Boot verdicts"); none: a clean handover is `booted`.
     *  Absent with compositionId: the composition version's. */
    bootCheck: BootExpectationsSchema.optional(),
  })
  .refine((v) => Boolean(v.spec) !== Boolean(v.compositionId), { message: 'send either spec (YAML text) or compositionId', path: ['spec'] });
export type CreateBuildInput = z.infer<typeof CreateBuildInput>;

async function specFromComposition(caller: Caller, compositionId: string, version?: number) {
  const { db } = await buildDeps();
  // The team's own compositions, and public ones (the starter compositions, other teams' shared
  // ones): anyone who can read a composition can build it.
  const composition = await db.composition.findFirst({ where: { id: compositionId, OR: [{ teamId: caller.teamId }, { visibility: 'public' }] } });
  if (!composition) throw new NotFoundError(`Composition ${compositionId}`);
  const v = await db.compositionVersion.findFirst({
    where: { compositionId, ...(version ? { version } : {}) },
    orderBy: { version: 'desc' },
  });
  if (!v) throw new NotFoundError(version ? `Version ${version} of composition ${composition.name}` : `A saved version of composition ${composition.name}`);
  return { specText: v.specText, compositionVersionId: v.id, name: composition.name, bootExpectations: readBootExpectations(v.bootExpectations) };
}


/** The worker's own check (parseServerSpec, host files refused), answered as 400 with every error. */
function checkSpec(text: string): void {
  try {
    parseServerSpec(text);
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    const errors = err.problems.filter((p) => p.severity === 'error');
    throw new BadRequestError(
      `The spec has ${errors.length} problem(s); the first: line ${errors[0]!.line}: ${errors[0]!.message}`,
      errors.map((p) => ({ line: p.line, col: p.col, endLine: p.endLine, endCol: p.endCol, message: p.message, path: p.path.join('.'), severity: p.severity })),
      'invalid_spec',
    );
  }
}

/** `rebuildOf`: a rebuild (rebuild.ts) keeps the composition version the old build came from. */
export async function createBuild(caller: Caller, input: CreateBuildInput, rebuildOf?: { compositionVersionId: string | null }) {
  const { db, queue, installationId } = await buildDeps();
  const source = input.compositionId
    ? await specFromComposition(caller, input.compositionId, input.compositionVersion)
    : { specText: input.spec!, compositionVersionId: rebuildOf?.compositionVersionId ?? null, name: undefined, bootExpectations: null };

  checkSpec(source.specText);

  const formats = [...new Set(input.formats)];
  const build = await buildState.create(db, {
    teamId: caller.teamId,
    requesterId: caller.userId,
    specText: source.specText,
    specHash: createHash('sha256').update(source.specText).digest('hex'),
    compositionVersionId: source.compositionVersionId,
    formats: JSON.stringify(formats),
    name: input.name ?? null,
    priority: input.priority ?? 0,
    // A composition is built with the expectations saved with its version, unless the request says otherwise ({} = none).
    bootExpectations: expectationsToColumn(input.bootCheck ?? source.bootExpectations),
  });
  try {
    await enqueueBuild(queue, { buildId: build.id, installation: installationId, ...(input.fresh ? { fresh: true } : {}) }, { priority: build.priority });
  } catch (err) {
    await db.build.delete({ where: { id: build.id } }).catch(() => {});
    throw new UnavailableError(`The build queue is not reachable (${(err as Error).message}); start Redis or check REDIS_URL, then submit again.`, 'queue_unavailable');
  }
  // The audit trail never blocks a build.
  await recordAudit(db, { teamId: caller.teamId, actorId: caller.userId, action: 'build.create', target: build.id, data: { formats } }).catch(() => {});
  return { id: build.id, status: build.status, url: buildUrl(build.id), cached: false };
}
