// The web app's Prisma client, for the configured DATABASE_URL. Kept on globalThis so dev
// reloads reuse one connection pool.
import { createPrisma, type PrismaClient } from '@oscompose/db';
import { webConfig } from './config';

const holder = globalThis as unknown as { __oscomposeWebPrisma?: PrismaClient };

export function db(): PrismaClient {
  holder.__oscomposeWebPrisma ??= createPrisma(webConfig().databaseUrl);
  return holder.__oscomposeWebPrisma;
}
