// POST /api/v1/builds/:id/netboot → { token, path, url } (the build's active /boot/<token>.ipxe, made
// when it has none); DELETE → { revoked } (its URLs answer 404 from then on).
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { createNetbootLink, revokeNetbootLinks } from '../../../../../../src/server/netboot/links';
import { absoluteUrl } from '../../../../../../src/server/publicUrl';

export const dynamic = 'force-dynamic';

const params = z.object({ id: z.string().min(1) });
export const POST = route({ permission: 'build:create', params }, async ({ req, caller, params }) => {
  const link = await createNetbootLink(caller, { buildId: params.id });
  return { ...link, url: absoluteUrl(req, link.path) };
});
export const DELETE = route({ permission: 'build:create', params }, ({ caller, params }) => revokeNetbootLinks(caller, { buildId: params.id }));
