// GET|HEAD /api/v1/builds/:id/artifacts/:name — the artifact file; HTTP Range; checksum headers.
import { z } from 'zod';
import { route } from '../../../../../../../src/server/http/route';
import { downloadArtifact } from '../../../../../../../src/server/builds/downloadArtifact';

export const dynamic = 'force-dynamic';

const params = z.object({ id: z.string().min(1), name: z.string().min(1) });

export const GET = route({ permission: 'artifact:download', params }, ({ caller, params, req }) => downloadArtifact(caller, params.id, params.name, req));
export const HEAD = GET;
