// GET /api/v1/builds/:id — status, timings, resolved spec, boot check, artifacts.
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { getBuild } from '../../../../../src/server/builds/getBuild';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'build:read', params: z.object({ id: z.string().min(1) }) }, ({ caller, params }) => getBuild(caller, params.id));
