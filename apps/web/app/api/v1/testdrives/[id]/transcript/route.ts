// GET /api/v1/testdrives/:id/transcript — the console as text, once the VM has ended.
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { testdriveTranscript } from '../../../../../../src/server/testdrives/getTestdrive';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'testdrive:read', params: z.object({ id: z.string().min(1) }) }, ({ caller, params }) => testdriveTranscript(caller, params.id));
