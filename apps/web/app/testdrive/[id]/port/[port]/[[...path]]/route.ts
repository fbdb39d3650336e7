// /testdrive/:id/port/:port/… — the guest's forwarded TCP port through the web app (same team only).
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { proxyGuestPort } from '../../../../../../src/server/testdrives/proxyPort';

export const dynamic = 'force-dynamic';

const params = z.object({
  id: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535),
  path: z.union([z.array(z.string()), z.string()]).optional(),
});

const handler = route({ permission: 'testdrive:read', params }, ({ caller, params, req }) => {
  // Next.js gives the decoded segments; each is encoded again for the guest's URL.
  const segments = Array.isArray(params.path) ? params.path : params.path ? params.path.split('/') : [];
  const rest = segments.map(encodeURIComponent).join('/');
  return proxyGuestPort(caller, params.id, params.port, rest, req);
});

export const GET = handler;
export const HEAD = handler;
export const POST = handler;
export const PUT = handler;
export const PATCH = handler;
export const DELETE = handler;
