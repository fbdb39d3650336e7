// POST /api/v1/compositions/:id/netboot → { token, path, url }: a URL that always boots the
// composition's latest succeeded kernel+initrd build; DELETE revokes it.
import { z } from 'zod';
import { route } from '../../../../../../src/server/http/route';
import { createNetbootLink, revokeNetbootLinks } from '../../../../../../src/server/netboot/links';
import { absoluteUrl } from '../../../../../../src/server/publicUrl';

export const dynamic = 'force-dynamic';

const params = z.object({ id: z.string().min(1) });
export const POST = route({ permission: 'composition:write', params }, async ({ req, caller, params }) => {
  const link = await createNetbootLink(caller, { compositionId: params.id });
  return { ...link, url: absoluteUrl(req, link.path) };
});
export const DELETE = route({ permission: 'composition:write', params }, ({ caller, params }) => revokeNetbootLinks(caller, { compositionId: params.id }));
