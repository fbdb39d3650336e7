// Test helper: a small real HTTP server in front of a registry that passes every request through
// but answers blob GETs with a redirect elsewhere (as registries do to blob storage), for tests
// that an allowed registry cannot send the client to a forbidden address.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RedirectProxy {
  /** host:port of the proxy (127.0.0.1:N). */
  host: string;
  /** Blob requests that were redirected. */
  redirected: string[];
  stop(): Promise<void>;
}

export async function startRedirectProxy(opts: { upstream: string; redirectBlobsTo: string; status?: number }): Promise<RedirectProxy> {
  const redirected: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && /\/blobs\/sha256:[0-9a-f]{64}$/.test(req.url ?? '')) {
      redirected.push(req.url!);
      res.writeHead(opts.status ?? 307, { location: `${opts.redirectBlobsTo.replace(/\/$/, '')}${req.url}` }).end();
      return;
    }
    const [host, port] = opts.upstream.split(':');
    const up = request({ host, port: Number(port), method: req.method, path: req.url, headers: { ...req.headers, host: opts.upstream } }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    redirected,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A TCP listener that counts connections and answers nothing (what an attacker probes for). */
export async function startConnectionCounter(): Promise<{ port: number; connections: () => number; stop(): Promise<void> }> {
  const { createServer: createNet } = await import('node:net');
  let n = 0;
  const server = createNet((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { port, connections: () => n, stop: () => new Promise<void>((r) => server.close(() => r())) };
}
