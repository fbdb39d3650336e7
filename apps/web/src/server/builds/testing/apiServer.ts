// A plain Node HTTP server in front of the builds route handlers (and those the attack suite
// drives: specs, catalog, registries), for integration tests and the chaos script: the same
// handlers Next.js runs (wrapper, services, SSE, downloads), without building the Next app
// (minutes on a small machine).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Module = Record<string, Handler | unknown>;

const ROUTES: { pattern: RegExp; keys: string[]; load: () => Promise<Module> }[] = [
  { pattern: /^\/api\/health$/, keys: [], load: () => import('../../../../app/api/health/route') },
  { pattern: /^\/api\/v1\/builds$/, keys: [], load: () => import('../../../../app/api/v1/builds/route') },
  { pattern: /^\/api\/v1\/builds\/([^/]+)$/, keys: ['id'], load: () => import('../../../../app/api/v1/builds/[id]/route') },
  { pattern: /^\/api\/v1\/builds\/([^/]+)\/events$/, keys: ['id'], load: () => import('../../../../app/api/v1/builds/[id]/events/route') },
  { pattern: /^\/api\/v1\/builds\/([^/]+)\/cancel$/, keys: ['id'], load: () => import('../../../../app/api/v1/builds/[id]/cancel/route') },
  { pattern: /^\/api\/v1\/builds\/([^/]+)\/rebuild$/, keys: ['id'], load: () => import('../../../../app/api/v1/builds/[id]/rebuild/route') },
  { pattern: /^\/api\/v1\/builds\/([^/]+)\/pin$/, keys: ['id'], load: () => import('../../../../app/api/v1/builds/[id]/pin/route') },
  { pattern: /^\/api\/v1\/builds\/([^/]+)\/artifacts\/([^/]+)$/, keys: ['id', 'name'], load: () => import('../../../../app/api/v1/builds/[id]/artifacts/[name]/route') },
  { pattern: /^\/api\/v1\/builds\/([^/]+)\/sbom$/, keys: ['id'], load: () => import('../../../../app/api/v1/builds/[id]/sbom/route') },
  { pattern: /^\/api\/v1\/builds\/([^/]+)\/testdrive$/, keys: ['id'], load: () => import('../../../../app/api/v1/builds/[id]/testdrive/route') },
  { pattern: /^\/api\/v1\/testdrives\/([^/]+)$/, keys: ['id'], load: () => import('../../../../app/api/v1/testdrives/[id]/route') },
  { pattern: /^\/api\/v1\/testdrives\/([^/]+)\/extend$/, keys: ['id'], load: () => import('../../../../app/api/v1/testdrives/[id]/extend/route') },
  { pattern: /^\/api\/v1\/testdrives\/([^/]+)\/console$/, keys: ['id'], load: () => import('../../../../app/api/v1/testdrives/[id]/console/route') },
  { pattern: /^\/api\/v1\/testdrives\/([^/]+)\/input$/, keys: ['id'], load: () => import('../../../../app/api/v1/testdrives/[id]/input/route') },
  { pattern: /^\/api\/v1\/testdrives\/([^/]+)\/transcript$/, keys: ['id'], load: () => import('../../../../app/api/v1/testdrives/[id]/transcript/route') },
  { pattern: /^\/api\/v1\/builds\/([^/]+)\/contents$/, keys: ['id'], load: () => import('../../../../app/api/v1/builds/[id]/contents/route') },
  { pattern: /^\/api\/v1\/builds\/([^/]+)\/netboot$/, keys: ['id'], load: () => import('../../../../app/api/v1/builds/[id]/netboot/route') },
  { pattern: /^\/api\/v1\/compositions\/([^/]+)\/netboot$/, keys: ['id'], load: () => import('../../../../app/api/v1/compositions/[id]/netboot/route') },
  { pattern: /^\/testdrive\/([^/]+)\/port\/(\d+)(?:\/(.*))?$/, keys: ['id', 'port', 'path'], load: () => import('../../../../app/testdrive/[id]/port/[port]/[[...path]]/route') },
  { pattern: /^\/boot\/([^/]+)$/, keys: ['token'], load: () => import('../../../../app/boot/[token]/route') },
  { pattern: /^\/boot\/([^/]+)\/([^/]+)$/, keys: ['token', 'file'], load: () => import('../../../../app/boot/[token]/[file]/route') },
  { pattern: /^\/api\/v1\/keys$/, keys: [], load: () => import('../../../../app/api/v1/keys/route') },
  { pattern: /^\/api\/v1\/specs\/validate$/, keys: [], load: () => import('../../../../app/api/v1/specs/validate/route') },
  { pattern: /^\/api\/v1\/specs\/plan$/, keys: [], load: () => import('../../../../app/api/v1/specs/plan/route') },
  { pattern: /^\/api\/v1\/catalog$/, keys: [], load: () => import('../../../../app/api/v1/catalog/route') },
  { pattern: /^\/api\/v1\/catalog\/uploads$/, keys: [], load: () => import('../../../../app/api/v1/catalog/uploads/route') },
  { pattern: /^\/api\/v1\/registries$/, keys: [], load: () => import('../../../../app/api/v1/registries/route') },
  { pattern: /^\/api\/v1\/registries\/([^/]+)$/, keys: ['id'], load: () => import('../../../../app/api/v1/registries/[id]/route') },
];

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

export async function startApiServer(port = 0): Promise<ApiServer> {
  const server = http.createServer(async (nreq, nres) => {
    try {
      const url = new URL(nreq.url ?? '/', `http://${nreq.headers.host ?? '127.0.0.1'}`);
      const route = ROUTES.find((r) => r.pattern.test(url.pathname));
      const mod = route ? await route.load() : undefined;
      const handler = mod?.[nreq.method ?? 'GET'] as Handler | undefined;
      if (!route || !handler) {
        nres.writeHead(route ? 405 : 404, { 'content-type': 'application/json' });
        nres.end(JSON.stringify({ error: { code: route ? 'method_not_allowed' : 'not_found', message: `${nreq.method} ${url.pathname}` } }));
        return;
      }
      const m = route.pattern.exec(url.pathname)!;
      let params: Record<string, string>;
      try {
        // An optional group that did not match is left out, as Next.js leaves out an empty catch-all.
        params = Object.fromEntries(route.keys.flatMap((k, i) => (m[i + 1] === undefined ? [] : [[k, decodeURIComponent(m[i + 1]!)]])));
      } catch {
        // Next.js answers a path it cannot percent-decode with 400 too.
        nres.writeHead(400, { 'content-type': 'application/json' });
        nres.end(JSON.stringify({ error: { code: 'bad_request', message: `the path ${url.pathname} is not validly percent-encoded` } }));
        return;
      }
      const ac = new AbortController();
      nres.on('close', () => ac.abort());
      const hasBody = nreq.method !== 'GET' && nreq.method !== 'HEAD';
      const req = new Request(url, {
        method: nreq.method,
        headers: nreq.headers as Record<string, string>,
        body: hasBody ? (Readable.toWeb(nreq) as ReadableStream) : undefined,
        signal: ac.signal,
        ...(hasBody ? { duplex: 'half' } : {}),
      } as RequestInit);
      const res = await handler(req, { params: Promise.resolve(params) });
      nres.writeHead(res.status, Object.fromEntries(res.headers));
      if (!res.body || nreq.method === 'HEAD') {
        nres.end();
        return;
      }
      const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
      nres.on('close', () => body.destroy());
      body.on('error', () => nres.destroy());
      body.pipe(nres);
    } catch (err) {
      nres.writeHead(500, { 'content-type': 'application/json' });
      nres.end(JSON.stringify({ error: { code: 'internal', message: String(err) } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
