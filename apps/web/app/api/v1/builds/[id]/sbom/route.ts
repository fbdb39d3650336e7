// GET|HEAD /api/v1/builds/:id/sbom — the build's SPDX 2.3 SBOM (application/spdx+json); Range, ETag.
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { getBuildSbom } from '../../../../../../src/server/builds/getBuildSbom';

export const dynamic = 'force-dynamic';

// Whoever may read the build may read what is in it.
export const GET = route({ permission: 'build:read', params: z.object({ id: z.string().min(1) }) }, ({ caller, params, req }) => getBuildSbom(caller, params.id, req));
export const HEAD = GET;
