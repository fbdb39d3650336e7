// GET /api/v1/testdrives/:id — status and time left; DELETE — stop it (idempotent).
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { getTestdrive } from '../../../../../src/server/testdrives/getTestdrive';
import { stopTestdrive } from '../../../../../src/server/testdrives/stopTestdrive';

export const dynamic = 'force-dynamic';

const params = z.object({ id: z.string().min(1) });

export const GET = route({ permission: 'testdrive:read', params }, ({ caller, params }) => getTestdrive(caller, params.id));
export const DELETE = route({ permission: 'testdrive:use', params }, ({ caller, params }) => stopTestdrive(caller, params.id));
