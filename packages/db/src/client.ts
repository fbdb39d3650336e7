// The Prisma client for DATABASE_URL: one typed API over SQLite (default) and PostgreSQL.
// Both generated clients come from the same model source, so their APIs are identical; the
// SQLite client's types stand for both.
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as SqliteModule from '@oscompose/db-client/sqlite';
import type * as PostgresModule from '@oscompose/db-client/postgres';
import { createAdapterFactory } from './adapter';
import { databaseProvider, findRepoRoot } from './url';

export type PrismaClient = SqliteModule.PrismaClient;

/**
 * Loads a generated client with Node's own require, resolved from the repository root. Bundlers
 * (Next.js) cannot follow this call, so the client stays on disk next to its query compiler
 * (.wasm) instead of being inlined into a chunk where it cannot find that file. Only the
 * provider in use is loaded.
 */
function loadGenerated<T>(provider: 'sqlite' | 'postgres'): T {
  const requireFromRoot = createRequire(path.join(/*turbopackIgnore: true*/ findRepoRoot(), 'package.json'));
  return requireFromRoot(`@oscompose/db-client/${provider}`) as T;
}

export interface CreatePrismaOptions {
  /** Prisma log levels, e.g. ['query', 'warn']; default warnings only. */
  log?: ('query' | 'info' | 'warn' | 'error')[];
}

/**
 * A new client for `url`. Each process makes its clients itself, from its own config: the web app
 * one (apps/web/src/server/db.ts), the worker one (apps/worker/src/main.ts), a test its own.
 */
export function createPrisma(url: string, opts: CreatePrismaOptions = {}): PrismaClient {
  const adapter = createAdapterFactory(url);
  // Errors are thrown to the caller; logging them too would print expected failures twice.
  const log = opts.log ?? ['warn'];
  if (databaseProvider(url) === 'postgres') {
    const { PrismaClient: PostgresClient } = loadGenerated<typeof PostgresModule>('postgres');
    return new PostgresClient({ adapter, log }) as unknown as PrismaClient;
  }
  const { PrismaClient: SqliteClient } = loadGenerated<typeof SqliteModule>('sqlite');
  return new SqliteClient({ adapter, log });
}
