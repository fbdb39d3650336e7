// The ONE wrapper every /api/v1 route handler goes through: resolve the caller, check the declared
// permission, parse params/query/body with zod, run the handler, map thrown errors to HTTP.
// A route exported without it has no caller to pass to a service, so it cannot be written by accident.
//
//   export const GET = route({ permission: 'build:read', params: z.object({ id: z.string() }) },
//     async ({ caller, params }) => getBuild(caller, params.id));

import { z } from 'zod';
import { can, type Permission } from '../auth/permissions';
import type { Caller } from '../auth/caller';
import { resolveCaller } from '../auth/resolveCaller';
import { BadRequestError, ForbiddenError, PayloadTooLargeError, UnauthorizedError, errorResponse } from '../errors';

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteOptions<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> {
  permission: Permission;
  /** Accept a signed-in caller who belongs to no team yet (accepting an invitation). */
  teamless?: boolean;
  params?: P;
  query?: Q;
  body?: B;
}

export interface HandlerContext<P, Q, B> {
  req: Request;
  caller: Caller;
  params: P;
  query: Q;
  body: B;
}

/** What Next.js passes as the second argument of a route handler (params is a Promise in Next 15+). */
export interface NextRouteContext {
  params?: Promise<Record<string, string | string[] | undefined>> | Record<string, string | string[] | undefined>;
}

/** A handler returns a Response (streams, downloads, custom status) or data sent as JSON 200. */
export type Handler<P, Q, B> = (ctx: HandlerContext<P, Q, B>) => Promise<Response | unknown> | Response | unknown;

/** JSON with a status other than 200 (`return json({ id }, 202)`). */
export function json(data: unknown, status = 200, headers?: HeadersInit): Response {
  return Response.json(data, { status, headers });
}

/** Query string → plain object; a repeated key becomes an array. */
export function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/**
 * The largest JSON body a route reads (a spec of 1 MiB, escaped, fits). Bigger bodies are refused
 * before they are held in memory. Routes that take files read the body themselves (uploads).
 */
export const MAX_JSON_BODY_BYTES = 4 * 1024 * 1024;

async function readText(req: Request, max: number): Promise<string> {
  const tooLarge = () => new PayloadTooLargeError(`The request body is larger than ${max} bytes, the most this API reads; send less (a spec may have at most 1 MiB).`);
  if (Number(req.headers.get('content-length') ?? 0) > max) throw tooLarge();
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req: Request): Promise<unknown> {
  const text = await readText(req, MAX_JSON_BODY_BYTES);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError('The request body is not valid JSON; send Content-Type: application/json with a JSON object.', undefined, 'invalid_json');
  }
}

async function parseInput<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined>(
  options: RouteOptions<P, Q, B>,
  req: Request,
  ctx: NextRouteContext | undefined,
): Promise<{ params: Out<P>; query: Out<Q>; body: Out<B> } | Response> {
  let stage: 'params' | 'query' | 'body' = 'params';
  try {
    const rawParams = (await ctx?.params) ?? {};
    const params = options.params ? options.params.parse(rawParams) : undefined;
    stage = 'query';
    const query = options.query ? options.query.parse(queryObject(new URL(req.url))) : undefined;
    stage = 'body';
    const body = options.body ? options.body.parse(await readJson(req)) : undefined;
    return { params, query, body } as { params: Out<P>; query: Out<Q>; body: Out<B> };
  } catch (err) {
    return errorResponse(err, stage);
  }
}

export function route<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(options: RouteOptions<P, Q, B>, handler: Handler<Out<P>, Out<Q>, Out<B>>) {
  return async function routeHandler(req: Request, ctx?: NextRouteContext): Promise<Response> {
    try {
      const caller = await resolveCaller(req);
      if (!caller) throw new UnauthorizedError();
      if (caller.teamless && !options.teamless) {
        throw new ForbiddenError('You are signed in but belong to no team yet: open an invitation link from a team admin.');
      }
      if (caller.scopes && caller.scopes.length > 0 && !caller.scopes.includes(options.permission)) {
        throw new ForbiddenError(`This API token is limited to ${caller.scopes.join(', ')}; it may not do ${options.permission}. Create a token with that scope.`);
      }
      if (!can(caller.role, options.permission)) {
        throw new ForbiddenError(
          `Your role (${caller.role}) may not do this (${options.permission}); ask a team admin to change your role.`,
        );
      }

      const parsed = await parseInput(options, req, ctx);
      if (parsed instanceof Response) return parsed;

      const result = await handler({ req, caller, ...parsed });
      if (result instanceof Response) return result;
      if (result === undefined) return new Response(null, { status: 204 });
      return Response.json(result);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/**
 * For the few routes that describe the product and hold no team data (the spec JSON Schema,
 * the format list): same parsing and error mapping, no caller. Say why in the route's comment.
 */
export function publicRoute<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(options: Omit<RouteOptions<P, Q, B>, 'permission'>, handler: (ctx: Omit<HandlerContext<Out<P>, Out<Q>, Out<B>>, 'caller'>) => Promise<Response | unknown> | Response | unknown) {
  return async function publicRouteHandler(req: Request, ctx?: NextRouteContext): Promise<Response> {
    try {
      const parsed = await parseInput({ ...options, permission: 'format:read' }, req, ctx);
      if (parsed instanceof Response) return parsed;
      const result = await handler({ req, ...parsed });
      if (result instanceof Response) return result;
      if (result === undefined) return new Response(null, { status: 204 });
      return Response.json(result);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
