// Image reference normalisation as Docker does it (docker.io, library/, :latest). A local helper
// until @oscompose/spec exports parseReference; the resolver switches to that once it lands.

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

const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export function normaliseReference(input: string): ImageReference {
  const ref = input.trim();
  if (!ref) throw new ReferenceError('empty image reference');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw new ReferenceError(`invalid digest in image reference "${input}"`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw new ReferenceError(`invalid tag "${tag}" in image reference "${input}"`);
  }
  let registry = 'docker.io';
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      registry = first;
      repository = rest.slice(slash + 1);
    }
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  for (const c of repository.split('/')) {
    if (!PATH_COMPONENT_RE.test(c)) throw new ReferenceError(`invalid repository name "${repository}" in image reference "${input}" (lowercase letters, digits and . _ - only)`);
  }
  if (!tag && !digest) tag = 'latest';
  const name = `${registry}/${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), name };
}
