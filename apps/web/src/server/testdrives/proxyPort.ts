// A guest's forwarded TCP port, served through the web app: /testdrive/:id/port/80/… is passed to
// the port the worker forwarded to its 127.0.0.1 (Testdrive.forwards), for the caller's team
// only. Only ports listed at the start are reachable, and only while the VM runs. The web app
// reaches the worker's loopback, so this works where the web app and the worker share a machine
// (docs/testdrive.md).

import { hostname } from 'node:os';
import { parseJsonColumn } from '@oscompose/db';
import { z } from 'zod';
import type { Caller } from '../auth/caller';
import { ConflictError, NotFoundError, UnavailableError } from '../errors';
import { findTeamTestdrive } from './getTestdrive';

// `machine`: the worker's hostname; a loopback port is only that machine's.
const Forwards = z.array(z.object({ guest: z.number(), host: z.number(), machine: z.string().optional() }));
// Hop-by-hop headers (RFC 9110 §7.6.1) and what names the web app, not the guest.
const DROP_REQUEST = ['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'te', 'trailer', 'cookie', 'authorization'];
const DROP_RESPONSE = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'trailer', 'set-cookie', 'content-encoding', 'content-length'];

export async function proxyGuestPort(caller: Caller, id: string, guestPort: number, path: string, req: Request): Promise<Response> {
  const t = await findTeamTestdrive(caller, id);
  const forward = parseJsonColumn(t.forwards, Forwards, []).find((f) => f.guest === guestPort);
  if (!forward) throw new NotFoundError(`Guest port ${guestPort} of testdrive ${id} (list it in "ports" when starting)`);
  if (t.status !== 'running') throw new ConflictError(`Testdrive ${id} is ${t.status}; its ports are reachable only while it runs.`, 'testdrive_not_running');
  // Another machine's 127.0.0.1 port is not this one's (here it could be any local service).
  if (forward.machine !== hostname()) throw new UnavailableError(`Testdrive ${id} runs on worker machine ${forward.machine ?? '(unknown)'}; its ports are served only by a web app on that machine.`, 'guest_elsewhere');
  const url = new URL(req.url);
  const target = `http://127.0.0.1:${forward.host}/${path}${url.search}`;
  const headers = new Headers(req.headers);
  for (const h of DROP_REQUEST) headers.delete(h);
  let res: Response;
  try {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    res = await fetch(target, {
      method: req.method,
      headers,
      body: hasBody ? req.body : undefined,
      redirect: 'manual',
      signal: AbortSignal.any([req.signal, AbortSignal.timeout(30_000)]),
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch (err) {
    throw new UnavailableError(`The guest does not answer on port ${guestPort} (${(err as Error).message}); is its service up yet?`, 'guest_unreachable');
  }
  const out = new Headers(res.headers);
  for (const h of DROP_RESPONSE) out.delete(h);
  // A redirect to the guest's own root stays under this testdrive's port path.
  const location = out.get('location');
  if (location?.startsWith('/')) out.set('location', `/testdrive/${id}/port/${guestPort}${location}`);
  return new Response(req.method === 'HEAD' ? null : res.body, { status: res.status, headers: out });
}
