// Artifact downloads: the whole file or one byte range, with the checksum in headers so a client
// can verify what it got (Digest: sha-256=<base64>, X-Checksum-Sha256: <hex>).

import { Readable } from 'node:stream';
import type { Caller } from '../auth/caller';
import { HttpError, NotFoundError, RangeNotSatisfiableError } from '../errors';
import { buildDeps } from './deps';
import { parseRange } from './range';
import type { Artifact } from '@oscompose/db';
import type { ArtifactStore } from '@oscompose/storage';

export async function downloadArtifact(caller: Caller, buildId: string, name: string, req: Request): Promise<Response> {
  const { db, store } = await buildDeps();
  const artifact = await db.artifact.findFirst({ where: { buildId, name, build: { teamId: caller.teamId } } });
  if (!artifact) throw new NotFoundError(`Artifact ${name} of build ${buildId}`);
  return serveArtifactFile(store, artifact, req);
}

/** One artifact's bytes (whole, one Range, or HEAD) with its checksum headers; also the netboot files. */
export async function serveArtifactFile(
  store: ArtifactStore,
  artifact: Artifact,
  req: Request,
  opts: { name?: string; cache?: string; contentType?: string; inline?: boolean } = {},
): Promise<Response> {
  const name = opts.name ?? artifact.name;
  const size = Number(artifact.size);
  const headers = new Headers({
    'Content-Type': opts.contentType ?? 'application/octet-stream',
    // `inline`: a document the API serves to be read (the SBOM), still with its file name.
    'Content-Disposition': `${opts.inline ? 'inline' : 'attachment'}; filename="${name.replace(/["\\]/g, '_')}"`,
    'Accept-Ranges': 'bytes',
    ETag: `"${artifact.sha256}"`,
    Digest: `sha-256=${Buffer.from(artifact.sha256, 'hex').toString('base64')}`,
    'X-Checksum-Sha256': artifact.sha256,
    'Cache-Control': opts.cache ?? 'private, max-age=31536000, immutable',
  });
  if (req.headers.get('if-none-match') === `"${artifact.sha256}"`) return new Response(null, { status: 304, headers });

  // If-Range with another validator: send the whole (current) file.
  const ifRange = req.headers.get('if-range');
  const range = ifRange && ifRange !== `"${artifact.sha256}"` ? { kind: 'none' as const } : parseRange(req.headers.get('range'), size);
  if (range.kind === 'unsatisfiable') {
    const err = new RangeNotSatisfiableError(size);
    return Response.json({ error: { code: err.code, message: err.message } }, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
  }
  if (req.method === 'HEAD') {
    headers.set('Content-Length', String(size));
    return new Response(null, { status: 200, headers });
  }
  try {
    if (range.kind === 'range') {
      const stream = await store.read(artifact.storageKey, { start: range.start, end: range.end });
      headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
      headers.set('Content-Length', String(range.end - range.start + 1));
      return new Response(Readable.toWeb(stream) as ReadableStream, { status: 206, headers });
    }
    const stream = await store.read(artifact.storageKey);
    headers.set('Content-Length', String(size));
    return new Response(Readable.toWeb(stream) as ReadableStream, { status: 200, headers });
  } catch (err) {
    if ((err as { code?: string }).code === 'not_found') {
      throw new HttpError(410, 'artifact_gone', `The file of artifact ${name} was removed by retention; rebuild to get it back.`);
    }
    throw err;
  }
}
