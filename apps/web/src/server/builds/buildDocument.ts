// A document the worker published beside a build's artifacts (its SBOM, its size breakdown),
// served as JSON to whoever may read the build, with the download headers of an artifact.

import type { Caller } from '../auth/caller';
import { HttpError, NotFoundError } from '../errors';
import { buildDeps } from './deps';
import { serveArtifactFile } from './downloadArtifact';

export interface BuildDocument {
  /** The artifact format it is stored under. */
  format: string;
  contentType: string;
  /** The error code when the build has none (no_sbom, no_contents). */
  missingCode: string;
  /** What it is, in the message when missing ("SBOM", "size breakdown"). */
  what: string;
}

export async function serveBuildDocument(doc: BuildDocument, caller: Caller, buildId: string, req: Request): Promise<Response> {
  const { db, store } = await buildDeps();
  // Another team's build is "not found", exactly like one that does not exist.
  const build = await db.build.findFirst({ where: { id: buildId, teamId: caller.teamId }, select: { id: true, status: true } });
  if (!build) throw new NotFoundError(`Build ${buildId}`);
  const row = await db.artifact.findFirst({ where: { buildId, format: doc.format } });
  if (!row) {
    throw new HttpError(
      404,
      doc.missingCode,
      build.status === 'succeeded'
        ? `Build ${buildId} has no ${doc.what}: it was built before builds carried one. Rebuild it with "Rebuild fresh" to get one.`
        : `Build ${buildId} has no ${doc.what} yet: it is published when the build succeeds, and the build is ${build.status}.`,
    );
  }
  return serveArtifactFile(store, row, req, { contentType: doc.contentType, inline: true });
}
