// Typed errors that services throw and the route wrapper turns into HTTP answers, and the one
// mapping from any thrown value (ours, zod's, the spec parser's, the engine's) to status + body.

import { ZodError } from 'zod';

export interface Problem {
  message: string;
  line?: number;
  col?: number;
  endLine?: number;
  endCol?: number;
  path?: string;
  severity?: 'error' | 'warning';
}

export interface ErrorBody {
  error: { code: string; message: string; problems?: Problem[] };
}

/** Base of the errors a service throws on purpose; `code` is stable, `message` says the fix. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: Problem[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, problems?: Problem[], code = 'bad_request') {
    super(400, code, message, problems);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'Sign in, or send an API token as "Authorization: Bearer <token>".') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

/** Also what another team's objects answer: their existence is not revealed. */
export class NotFoundError extends HttpError {
  constructor(what: string) {
    super(404, 'not_found', `${what} was not found (or belongs to another team).`);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

export class RangeNotSatisfiableError extends HttpError {
  constructor(readonly size: number) {
    super(416, 'range_not_satisfiable', `The requested range is outside the artifact (size ${size} bytes).`);
  }
}

/** A request (or a part of it) over a size limit; the message names the limit. */
export class PayloadTooLargeError extends HttpError {
  constructor(message: string, code = 'too_large') {
    super(413, code, message);
  }
}

export class UnavailableError extends HttpError {
  constructor(message: string, code = 'unavailable') {
    super(503, code, message);
  }
}

function zodProblems(err: ZodError, where: string): Problem[] {
  return err.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return { path: path ? `${where}.${path}` : where, message: issue.message };
  });
}

interface Mapped {
  status: number;
  body: ErrorBody;
  /** True when the error is ours to fix (logged with a stack), not the caller's. */
  internal: boolean;
}

// Errors from other packages are matched by name and shape so this module imports none of them:
// SpecError (spec parser: problems with line/col), RegistryError (engine: reference + HTTP status),
// ArchiveError (engine: a bad layer), and Prisma's "record not found".
type Loose = Error & {
  problems?: unknown;
  status?: unknown;
  statusCode?: unknown;
  line?: unknown;
  col?: unknown;
  column?: unknown;
  code?: unknown;
};

function asProblems(value: unknown): Problem[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((p: Record<string, unknown>) => ({
    message: String(p?.message ?? p),
    ...(typeof p?.line === 'number' ? { line: p.line } : {}),
    ...(typeof p?.col === 'number' ? { col: p.col } : typeof p?.column === 'number' ? { col: p.column } : {}),
    ...(typeof p?.endLine === 'number' ? { endLine: p.endLine } : {}),
    ...(typeof p?.endCol === 'number' ? { endCol: p.endCol } : {}),
    ...(typeof p?.path === 'string' ? { path: p.path } : Array.isArray(p?.path) ? { path: p.path.join('.') } : {}),
    ...(p?.severity === 'warning' || p?.severity === 'error' ? { severity: p.severity } : {}),
  }));
}

export function mapError(err: unknown, where: 'params' | 'query' | 'body' | 'handler' = 'handler'): Mapped {
  const out = (status: number, code: string, message: string, problems?: Problem[], internal = false): Mapped => ({
    status,
    body: { error: { code, message, ...(problems && problems.length ? { problems } : {}) } },
    internal,
  });

  if (err instanceof HttpError) return out(err.status, err.code, err.message, err.problems);
  if (err instanceof ZodError) {
    const problems = zodProblems(err, where === 'handler' ? 'input' : where);
    const first = problems[0];
    return out(400, 'invalid_input', first ? `${first.path}: ${first.message}` : 'Invalid input.', problems);
  }
  if (err instanceof Error) {
    const e = err as Loose;
    switch (e.name) {
      case 'SpecError': {
        const problems = asProblems(e.problems) ?? [
          {
            message: e.message,
            ...(typeof e.line === 'number' ? { line: e.line } : {}),
            ...(typeof e.col === 'number' ? { col: e.col } : typeof e.column === 'number' ? { col: e.column } : {}),
          },
        ];
        return out(400, 'invalid_spec', e.message, problems);
      }
      case 'RegistryError': {
        const status = typeof e.status === 'number' ? e.status : undefined;
        // The registry policy refused it (docs/security.md): an admin's to change, never retried.
        if (e.code === 'not-allowed') return out(422, 'registry_not_allowed', e.message);
        // A missing image or a refused credential is the user's to fix; anything else is the registry's.
        if (status === 404 || status === 401 || status === 403) return out(422, 'image_unavailable', e.message);
        return out(502, 'registry_unavailable', e.message);
      }
      case 'ArchiveError':
        return out(422, 'bad_image', e.message);
      case 'LimitError':
        // The engine's limits (an image or archive over what this server accepts).
        return out(413, 'limit_exceeded', e.message);
      case 'PrismaClientKnownRequestError':
        if (e.code === 'P2025') return out(404, 'not_found', 'The object was not found (or belongs to another team).');
        if (e.code === 'P2002') return out(409, 'conflict', 'An object with that name already exists.');
        break;
    }
  }
  return out(500, 'internal', 'Something went wrong on the server; the error is in the server log.', undefined, true);
}

export function errorResponse(err: unknown, where?: 'params' | 'query' | 'body' | 'handler'): Response {
  const mapped = mapError(err, where);
  if (mapped.internal) console.error('[api] unhandled error', err);
  return Response.json(mapped.body, { status: mapped.status });
}
