// GET|HEAD /boot/<token>.ipxe — a build's iPXE script. No login (firmware fetches it); the token
// is the secret (apps/web/src/server/netboot/).
import { serveNetbootScript } from '../../../src/server/netboot/serve';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Ctx = { params: Promise<{ token: string }> };
export const GET = async (req: Request, ctx: Ctx) => serveNetbootScript((await ctx.params).token, req);
export const HEAD = GET;
