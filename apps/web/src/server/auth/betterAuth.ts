// Accounts and sessions: better-auth (email + password, cookie sessions) on our Prisma tables.
// Teams, roles, invitations and API tokens are ours (teams.ts, tokens.ts): better-auth's
// organization plugin knows owner/admin/member only and its own access-control model, while
// oscompose has one permission table (permissions.ts) that every route goes through.

import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { APIError } from 'better-auth/api';
import { databaseProvider, type PrismaClient } from '@oscompose/db';
import { db } from '../db';
import { webConfig } from '../config';
import { afterSignUp, mayCreateUser } from './signup';
import { requestOrigin } from '../publicUrl';

export function createAuth(prisma: PrismaClient, options: { secret: string; baseURL?: string; secureCookies?: boolean; provider: 'sqlite' | 'postgresql' }) {
  return betterAuth({
    appName: 'oscompose',
    secret: options.secret,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    // Same-origin requests are trusted whatever address the server is reached at (localhost, an
    // IP, a proxy name); a cross-site form or script carries another Origin and is refused.
    trustedOrigins: (request) => [options.baseURL, requestOrigin(request)],
    // better-auth turns the Origin/CSRF checks off under NODE_ENV=test; keep them on so tests see
    // what production does.
    // Secure cookies exactly when the public URL is https (better-auth would otherwise make them
    // Secure under NODE_ENV=production, which a browser on plain http://name drops).
    advanced: {
      disableOriginCheck: false,
      disableCSRFCheck: false,
      useSecureCookies: options.secureCookies ?? Boolean(options.baseURL?.startsWith('https:')),
    },
    database: prismaAdapter(prisma, { provider: options.provider }),
    emailAndPassword: { enabled: true, minPasswordLength: 8, autoSignIn: true },
    session: { expiresIn: 60 * 60 * 24 * 14, updateAge: 60 * 60 * 24 },
    databaseHooks: {
      user: {
        create: {
          before: async (user) => {
            const refusal = await mayCreateUser(prisma, user.email);
            if (refusal) throw new APIError('FORBIDDEN', { message: refusal });
            return { data: user };
          },
          after: async (user) => {
            await afterSignUp(prisma, { id: user.id, email: user.email, name: user.name });
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

const holder = globalThis as unknown as { __oscomposeAuth?: Auth };

/** The process's better-auth instance on the web app's database. */
export function auth(): Auth {
  const config = webConfig();
  holder.__oscomposeAuth ??= createAuth(db(), {
    secret: config.authSecret,
    // Only an explicit OSCOMPOSE_PUBLIC_URL pins the base URL; otherwise better-auth takes it
    // from the request (so http://localhost and http://<name> both sign in).
    ...(config.publicUrlSet ? { baseURL: config.publicUrl } : {}),
    secureCookies: config.secureCookies,
    provider: databaseProvider(config.databaseUrl) === 'postgres' ? 'postgresql' : 'sqlite',
  });
  return holder.__oscomposeAuth;
}

/** For tests: drop the instance so the next call reads the current database and config. */
export function resetAuth(): void {
  holder.__oscomposeAuth = undefined;
}
