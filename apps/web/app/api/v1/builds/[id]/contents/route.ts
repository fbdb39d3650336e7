// GET|HEAD /api/v1/builds/:id/contents — what the build's initramfs is made of (bytes per section → directory, largest files).
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { getBuildContents } from '../../../../../../src/server/builds/getBuildContents';

export const dynamic = 'force-dynamic';

// Whoever may read the build may read what is in it.
export const GET = route({ permission: 'build:read', params: z.object({ id: z.string().min(1) }) }, ({ caller, params, req }) => getBuildContents(caller, params.id, req));
export const HEAD = GET;
