// GET /api/v1/builds/:id — status, timings, resolved spec, boot check, artifacts.
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { getBuild } from '../../../../../src/server/builds/getBuild';
import { publicBaseUrl } from '../../../../../src/server/publicUrl';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'build:read', params: z.object({ id: z.string().min(1) }) }, ({ req, caller, params }) => getBuild(caller, params.id, publicBaseUrl(req)));
