// The database type the build runner works with (the app's Prisma client, or a test's own).
import type { PrismaClient } from '@oscompose/db';

export type Db = PrismaClient;
