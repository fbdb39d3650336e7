// POST /api/v1/builds/:id/testdrive { artifact, ports?, minutes? } — 202 { id, url, … }: boot that
// artifact on a worker; 409 when the caller already has one running or the build is not done.
import { z } from 'zod';
import { json, route } from '../../../../../../src/server/http/route';
import { startTestdrive } from '../../../../../../src/server/testdrives/startTestdrive';

export const dynamic = 'force-dynamic';

const Body = z
  .object({
    artifact: z.string().min(1, 'name the artifact format to boot, e.g. kernel+initrd'),
    ports: z.array(z.number().int().min(1).max(65535)).max(8).optional(),
    minutes: z.number().int().min(1).optional(),
  })
  .strict();

export const POST = route({ permission: 'testdrive:start', params: z.object({ id: z.string().min(1) }), body: Body }, async ({ caller, params, body }) =>
  json(await startTestdrive(caller, params.id, body), 202),
);
