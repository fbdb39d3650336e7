// A build's SBOM (the SPDX 2.3 document the engine wrote into its image, published by the worker
// as NAME.spdx.json): served as JSON to whoever may read the build, with the download headers.

import { SBOM_FORMAT } from '@oscompose/engine';
import type { Caller } from '../auth/caller';
import { HttpError, NotFoundError } from '../errors';
import { buildDeps } from './deps';
import { serveArtifactFile } from './downloadArtifact';

export async function getBuildSbom(caller: Caller, buildId: string, req: Request): Promise<Response> {
  const { db, store } = await buildDeps();
  // Another team's build is "not found", exactly like one that does not exist.
  const build = await db.build.findFirst({ where: { id: buildId, teamId: caller.teamId }, select: { id: true, status: true } });
  if (!build) throw new NotFoundError(`Build ${buildId}`);
  const sbom = await db.artifact.findFirst({ where: { buildId, format: SBOM_FORMAT } });
  if (!sbom) {
    throw new HttpError(
      404,
      'no_sbom',
      build.status === 'succeeded'
        ? `Build ${buildId} has no SBOM: it was built before builds carried one. Rebuild it with "Rebuild fresh" to get one.`
        : `Build ${buildId} has no SBOM yet: it is published when the build succeeds, and the build is ${build.status}.`,
    );
  }
  return serveArtifactFile(store, sbom, req, { contentType: 'application/spdx+json', inline: true });
}
