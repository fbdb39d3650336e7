// DELETE /api/v1/credentials/:id — forget a registry credential.
import { z } from 'zod';
import { route } from '../../../../../src/server/http/route';
import { db } from '../../../../../src/server/db';
import { deleteCredential } from '../../../../../src/server/auth/credentials';

export const dynamic = 'force-dynamic';

export const DELETE = route({ permission: 'credential:write', params: z.object({ id: z.string().min(1) }) }, ({ caller, params }) => deleteCredential(db(), caller, params.id));
