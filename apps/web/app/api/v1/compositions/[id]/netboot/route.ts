// POST /api/v1/compositions/:id/netboot → { token, path }: a URL that always boots the
// composition's latest succeeded kernel+initrd build; DELETE revokes it.
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { createNetbootLink, revokeNetbootLinks } from '../../../../../../src/server/netboot/links';

export const dynamic = 'force-dynamic';

const params = z.object({ id: z.string().min(1) });
export const POST = route({ permission: 'composition:write', params }, ({ caller, params }) => createNetbootLink(caller, { compositionId: params.id }));
export const DELETE = route({ permission: 'composition:write', params }, ({ caller, params }) => revokeNetbootLinks(caller, { compositionId: params.id }));
