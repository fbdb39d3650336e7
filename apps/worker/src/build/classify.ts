// Which build failures are worth retrying. Only transient ones are: the network, a registry or
// store that is down or answers 429/5xx, the database or Redis having a bad moment. Everything
// the user must fix (a bad spec, a refused or unreadable source, a missing or refused image, a bad
// image or archive, a build limit) fails at once with its message. An error nobody recognises is
// a bug: retrying it only repeats it three times, so it fails at once too (kind `internal`), with a
// message that says so.

import { findLimitError, limitMessage } from './limits';

export type FailureKind = 'transient' | 'user' | 'internal' | 'canceled';

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
  // A full disk or file table may be freed by the time of the next attempt.
  'ENOSPC', 'EMFILE', 'ENFILE',
  'SQLITE_BUSY', 'SQLITE_LOCKED',
]);

/**
 * Errors whose message is for the user: the engine's, the spec parser's, ours. Any other error
 * can say so with a `kind: 'user'` property.
 */
const USER_ERRORS = new Set([
  'BuildError', 'SpecError', 'ArchiveError', 'LimitError', 'LayoutError', 'DiskImageError', 'ImageReferenceError', 'FormatError',
  'UserError', 'BootCheckError', 'BlobTooLargeError', 'JobPayloadError',
]);

/**
 * Prisma's codes for a database that cannot be reached, closed the connection, timed out, ran out
 * of connections, or reported a write conflict: the next attempt may well succeed.
 */
const TRANSIENT_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034', 'P2037']);

type Loose = { name?: unknown; code?: unknown; status?: unknown; cause?: unknown; kind?: unknown; message?: unknown };

function kindOf(x: Loose, e: unknown): FailureKind | undefined {
  const name = typeof x.name === 'string' ? x.name : '';
  const code = typeof x.code === 'string' ? x.code : undefined;
  const message = typeof x.message === 'string' ? x.message : '';
  if (name === 'AbortError') return 'canceled';
  if (code && TRANSIENT_CODES.has(code)) return 'transient';
  if (name === 'RegistryError') {
    // The engine's RegistryError says why: the network, a 5xx or a corrupted transfer is worth
    // another try; a missing image, a refused login or an unsupported manifest is not.
    const status = typeof x.status === 'number' ? x.status : undefined;
    if (code === 'network' || code === 'server' || code === 'digest-mismatch') return 'transient';
    if (status === 429 || (status !== undefined && status >= 500)) return 'transient';
    return 'user';
  }
  if (name === 'StorageError') return code === 'unavailable' ? 'transient' : 'user';
  if (name.startsWith('PrismaClient')) {
    if (name === 'PrismaClientInitializationError') return 'transient';
    if (code && TRANSIENT_PRISMA.has(code)) return 'transient';
  }
  // ioredis while Redis restarts.
  if (name === 'MaxRetriesPerRequestError' || message === 'Connection is closed.') return 'transient';
  if (/SQLITE_BUSY|database is locked/.test(message)) return 'transient';
  // The engine's ReferenceError (a bad image reference) shares its name with JavaScript's own,
  // which is a bug in our code.
  if (name === 'ReferenceError') return e instanceof globalThis.ReferenceError ? undefined : 'user';
  if (USER_ERRORS.has(name) || x.kind === 'user') return 'user';
  return undefined;
}

/** What kind of failure `err` is; `signal` is the build's (aborted: canceled, or a limit). */
export function classifyFailure(err: unknown, signal?: AbortSignal): FailureKind {
  if (signal?.aborted) return findLimitError(undefined, signal) ? 'user' : 'canceled';
  let e: unknown = err;
  // The outermost error that says something wins; causes explain wrapped ones (fetch failed ← ECONNRESET).
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const kind = kindOf(e as Loose, e);
    if (kind) return kind;
    e = (e as Loose).cause;
  }
  return 'internal';
}

/**
 * The build's error text for a failure: for a limit, a message naming the limit and its setting;
 * the error's own message for user and transient failures; for an internal one, a sentence that
 * tells the reader it is not their spec.
 */
export function failureMessage(err: unknown, signal?: AbortSignal): string {
  const limit = findLimitError(err, signal);
  if (limit) return limitMessage(limit);
  const message = (err as Error)?.message ?? String(err);
  if (classifyFailure(err, signal) !== 'internal') return message;
  const name = (err as Error)?.name ?? 'Error';
  return `Internal error in the worker (${name}: ${message}). This is not a problem with your spec and was not retried; the worker log has the details.`;
}

/** A failure the user must fix; the job is not retried. */
export class UserError extends Error {
  readonly kind = 'user';
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
