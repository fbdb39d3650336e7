// DELETE /api/v1/registries/:id — stop allowing a registry the team added.
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { db } from '../../../../../src/server/db';
import { removeRegistry } from '../../../../../src/server/registries/teamRegistries';

export const dynamic = 'force-dynamic';

export const DELETE = route({ permission: 'registry:write', params: z.object({ id: z.string().min(1) }) }, ({ caller, params }) => removeRegistry(db(), caller, params.id));
