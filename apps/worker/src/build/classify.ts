// Which build failures are worth retrying. Transient: the network, a registry or store that is
// down or answers 5xx, Redis/DB hiccups. Permanent (the user's to fix, retrying cannot help):
// a bad spec, a missing image, a bad archive, a 4xx from a registry, an unknown format.

export type FailureKind = 'transient' | 'user' | 'canceled';

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH',
  'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ENOSPC',
]);
const USER_ERRORS = new Set(['BuildError', 'SpecError', 'ArchiveError', 'ImageReferenceError', 'FormatError', 'UserError', 'BootCheckError']);

type Loose = { name?: unknown; code?: unknown; status?: unknown; cause?: unknown; kind?: unknown };

export function classifyFailure(err: unknown, signal?: AbortSignal): FailureKind {
  if (signal?.aborted) return 'canceled';
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const x = e as Loose;
    if (x.name === 'AbortError') return 'canceled';
    if (typeof x.code === 'string' && TRANSIENT_CODES.has(x.code)) return 'transient';
    if (x.name === 'RegistryError' && typeof x.code === 'string' && x.code !== 'http') {
      // The engine's RegistryError says why: the network or a 5xx is worth another try.
      return x.code === 'network' || x.code === 'server' || x.code === 'digest-mismatch' ? 'transient' : 'user';
    }
    if (x.name === 'RegistryError' || x.name === 'StorageError' || x.name === 'HttpError') {
      const status = typeof x.status === 'number' ? x.status : undefined;
      if (x.code === 'not_found' || x.code === 'bad_key' || x.code === 'checksum_mismatch' || x.code === 'config') return 'user';
      // 429 and 5xx (and no status at all: the connection failed) are the server's bad moment.
      if (status === undefined || status === 429 || status >= 500) return 'transient';
      return 'user';
    }
    if (typeof x.name === 'string' && USER_ERRORS.has(x.name)) return 'user';
    if (x.kind === 'user') return 'user';
    e = x.cause;
  }
  // Unknown errors get the retries: a bug fails a few times, a flake gets another chance.
  return 'transient';
}

/** A failure the user must fix; the job is not retried. */
export class UserError extends Error {
  readonly kind = 'user';
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
