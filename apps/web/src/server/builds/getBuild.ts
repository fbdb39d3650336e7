// One build of the caller's team with its artifacts; another team's build is "not found".

import type { Caller } from '../auth/caller';
import { NotFoundError } from '../errors';
import { buildDeps } from './deps';
import { presentDetail } from './present';
import { activeNetbootPath } from '../netboot/links';
import { PROVENANCE_FORMAT, keyDir, provenanceSignature } from '../provenance/signature';

export async function findTeamBuild(caller: Caller, id: string) {
  const { db } = await buildDeps();
  const build = await db.build.findFirst({
    where: { id, teamId: caller.teamId },
    include: { requester: { select: { id: true, name: true } }, artifacts: true },
  });
  if (!build) throw new NotFoundError(`Build ${id}`);
  return build;
}

/** `base`: the public URL the netboot link is given out on (publicBaseUrl of the request). */
export async function getBuild(caller: Caller, id: string, base: string) {
  const build = await findTeamBuild(caller, id);
  const bundle = build.artifacts.find((a) => a.format === PROVENANCE_FORMAT);
  const { store, keyDir: dir } = await buildDeps();
  const signature = bundle ? await provenanceSignature(store, dir ?? keyDir(), bundle.storageKey) : null;
  const link = async (target: { buildId: string } | { compositionId: string }) => {
    const path = await activeNetbootPath(target);
    return path ? { path, url: `${base}${path}` } : null;
  };
  // A build made from a composition also offers that composition's "latest succeeded build" URL.
  const version = build.compositionVersionId
    ? await (await buildDeps()).db.compositionVersion.findFirst({ where: { id: build.compositionVersionId, composition: { teamId: caller.teamId } }, select: { composition: { select: { id: true, name: true } } } })
    : null;
  const composition = version ? { id: version.composition.id, name: version.composition.name, netboot: await link({ compositionId: version.composition.id }) } : null;
  return { ...presentDetail(build, { signature }), netboot: await link({ buildId: build.id }), composition };
}
