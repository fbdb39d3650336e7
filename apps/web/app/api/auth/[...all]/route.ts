// better-auth's endpoints: /api/auth/sign-up/email, /sign-in/email, /sign-out, /change-password,
// /get-session … (see docs/auth.md). Everything else in the API goes through route().
import { auth } from '../../../../src/server/auth/betterAuth';

export const dynamic = 'force-dynamic';

export const GET = (req: Request) => auth().handler(req);
export const POST = (req: Request) => auth().handler(req);
