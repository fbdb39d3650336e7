// The builds API in pipeline tests: its handlers served in front of a pipeline (serveApi), and
// what a client does with it (JSON requests, waiting for a status, reading the event stream).

import { setBuildDeps, type CallerResolver, setCallerResolver, startApiServer, type ApiServer } from '@oscompose/web/testing';
import type { Pipeline } from './harness';

export interface ApiClient {
  http<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }>;
  /** Polls GET /api/v1/builds/:id until its status is one of `statuses`. */
  waitStatus(id: string, statuses: string[], timeoutMs?: number): Promise<any>;
  /** Reads GET /api/v1/builds/:id/events to its end (the final status). */
  events(id: string): Promise<{ event: string; data: any; id: string }[]>;
}

/** `headers` go with every request (tests pick the caller with one). */
export function apiClient(baseUrl: () => string, headers: Record<string, string> = {}): ApiClient {
  const http: ApiClient['http'] = async (method, path, body) => {
    const res = await fetch(baseUrl() + path, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never, headers: res.headers };
  };
  return {
    http,
    async waitStatus(id, statuses, timeoutMs = 240_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const { body } = await http('GET', `/api/v1/builds/${id}`);
        if (statuses.includes(body.status)) return body;
        if (Date.now() > until) throw new Error(`build ${id} still ${body.status} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async events(id) {
      const res = await fetch(`${baseUrl()}/api/v1/builds/${id}/events`, { headers });
      if (!/text\/event-stream/.test(res.headers.get('content-type') ?? '')) throw new Error(`/events answered ${res.status} ${res.headers.get('content-type')}`);
      const text = await res.text();
      return text
        .split('\n\n')
        .filter((b) => b.includes('data:'))
        .map((b) => {
          const get = (k: string) => b.split('\n').find((l) => l.startsWith(`${k}:`))?.slice(k.length + 1).trim() ?? '';
          return { event: get('event'), id: get('id'), data: JSON.parse(get('data')) };
        });
    },
  };
}


export interface ServedApi {
  api: ApiServer;
  webDeps: Awaited<ReturnType<Pipeline['webDeps']>>;
  client: ApiClient;
  /** Stops the server and forgets the web side's dependencies and caller. */
  close(): Promise<void>;
}

/**
 * The builds API handlers in front of a pipeline's services; every request acts as the
 * pipeline's owner unless `caller` says otherwise.
 */
export async function serveApi(p: Pipeline, caller?: CallerResolver): Promise<ServedApi> {
  const webDeps = await p.webDeps();
  setBuildDeps(webDeps);
  setCallerResolver(caller ?? (async () => ({ userId: p.testDb.userId, teamId: p.testDb.teamId, role: 'owner', via: 'local' })));
  const api = await startApiServer();
  return {
    api,
    webDeps,
    client: apiClient(() => api.url),
    async close() {
      await api.close();
      setBuildDeps(undefined);
      setCallerResolver(undefined);
    },
  };
}
