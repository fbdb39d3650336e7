// POST /api/v1/builds/:id/netboot → { token, path } (the build's active /boot/<token>.ipxe, made
// when it has none); DELETE → { revoked } (its URLs answer 404 from then on).
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { createNetbootLink, revokeNetbootLinks } from '../../../../../../src/server/netboot/links';

export const dynamic = 'force-dynamic';

const params = z.object({ id: z.string().min(1) });
export const POST = route({ permission: 'build:create', params }, ({ caller, params }) => createNetbootLink(caller, { buildId: params.id }));
export const DELETE = route({ permission: 'build:create', params }, ({ caller, params }) => revokeNetbootLinks(caller, { buildId: params.id }));
