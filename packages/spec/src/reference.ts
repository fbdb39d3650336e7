// Image references: syntax check and Docker's normalisation (`nginx` →
// `docker.io/library/nginx:latest`), as `docker pull` and `linuxkit build` apply it.

export interface ImageReference {
  /** Registry host (and port), e.g. `docker.io`, `localhost:5000`. */
  registry: string;
  /** Repository path within the registry, e.g. `library/nginx`. */
  repository: string;
  tag?: string;
  /** `algorithm:hex`, e.g. `sha256:…`. */
  digest?: string;
  /** registry/repository[:tag][@digest]; `:latest` is added when there is neither tag nor digest. */
  normalized: string;
}

export class ImageReferenceError extends Error {
  readonly reference: string;
  constructor(reference: string, reason: string) {
    super(`invalid image reference \`${reference}\`: ${reason}`);
    this.name = 'ImageReferenceError';
    this.reference = reference;
  }
}

export const DEFAULT_REGISTRY = 'docker.io';

// The grammar of github.com/distribution/reference, written out.
const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const domainPattern = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;

/** Parse and normalise; throws ImageReferenceError saying what is wrong. */
export function parseReference(ref: string): ImageReference {
  const fail = (reason: string): never => {
    throw new ImageReferenceError(ref, reason);
  };
  if (typeof ref !== 'string' || ref.trim() === '') fail('it is empty');
  if (ref !== ref.trim() || /\s/.test(ref)) fail('it contains white space');
  const scheme = /^[a-z]+:\/\//i.exec(ref);
  if (scheme) fail(`remove \`${scheme[0]}\`; write \`${ref.slice(scheme[0].length)}\``);

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) fail(`\`${digest}\` is not a digest; expected \`sha256:\` and 64 hex digits`);
    if (digest.startsWith('sha256:') && !/^sha256:[0-9a-f]{64}$/.test(digest)) {
      fail('a sha256 digest is `sha256:` and 64 lower-case hex digits');
    }
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) fail(`\`${tag}\` is not a valid tag (letters, digits, \`_\`, \`.\`, \`-\`; at most 128; not starting with \`.\` or \`-\`)`);
  }
  if (rest === '') fail('the repository name is missing');

  let registry = DEFAULT_REGISTRY;
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      if (!domainPattern.test(first)) fail(`\`${first}\` is not a valid registry host`);
      registry = first;
      repository = rest.slice(slash + 1);
    }
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DEFAULT_REGISTRY;
  if (registry === DEFAULT_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;

  if (repository !== repository.toLowerCase()) fail('repository names must be lower case');
  for (const part of repository.split('/')) {
    if (!component.test(part)) fail(`\`${part}\` is not a valid repository path component`);
  }
  if (registry.length + 1 + repository.length > 255) fail('the name is longer than 255 characters');

  if (!tag && !digest) tag = 'latest';
  const normalized = `${registry}/${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), normalized };
}

/** The reason a reference is invalid, or undefined when it parses. */
export function referenceProblem(ref: string): string | undefined {
  try {
    parseReference(ref);
    return undefined;
  } catch (e) {
    if (e instanceof ImageReferenceError) return e.message;
    throw e;
  }
}
