// Image reference normalisation (docker.io, library/, :latest), delegated to @oscompose/spec's
// parseReference so the engine and the editor agree; `name` is the full normalised form.

import { parseReference, ImageReferenceError } from '@oscompose/spec';

export interface ImageReference {
  /** Registry host as written (docker.io for Docker Hub), with port if any. */
  registry: string;
  /** Repository path, e.g. library/alpine. */
  repository: string;
  tag?: string;
  digest?: string;
  /** Full normalised form: registry/repository[:tag][@digest]. */
  name: string;
}

export class ReferenceError extends Error {
  override name = 'ReferenceError';
}

export function normaliseReference(input: string): ImageReference {
  try {
    const r = parseReference(input.trim());
    return { registry: r.registry, repository: r.repository, ...(r.tag ? { tag: r.tag } : {}), ...(r.digest ? { digest: r.digest } : {}), name: r.normalized };
  } catch (e) {
    if (e instanceof ImageReferenceError) throw new ReferenceError(e.message);
    throw e;
  }
}
