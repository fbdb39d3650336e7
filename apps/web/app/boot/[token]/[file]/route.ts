// GET|HEAD /boot/<token>/{kernel,initrd,cmdline} — the files the iPXE script chains (Range
// supported). No login; the token is the secret.
import { serveNetbootFile } from '../../../../src/server/netboot/serve';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Ctx = { params: Promise<{ token: string; file: string }> };
export const GET = async (req: Request, ctx: Ctx) => {
  const { token, file } = await ctx.params;
  return serveNetbootFile(token, file, req);
};
export const HEAD = GET;
