// The Prisma client for DATABASE_URL: one typed API over SQLite (default) and PostgreSQL.
// Both generated clients come from the same model source, so their APIs are identical; the
// SQLite client's types stand for both.
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as SqliteModule from '@oscompose/db-client/sqlite';
import type * as PostgresModule from '@oscompose/db-client/postgres';
import { createAdapterFactory } from './adapter';
import { DEFAULT_DATABASE_URL, databaseProvider, findRepoRoot } from './url';

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

/** A new client for `url` (tests use this with their own database; the app uses `prisma`). */
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

/** The database URL the app uses: DATABASE_URL, or the SQLite file under ./data. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

// One client per process, kept on globalThis so Next.js dev reloads do not open new pools.
const holder = globalThis as unknown as { __oscomposePrisma?: PrismaClient };

/** The process-wide client, created on first use. */
export function getPrisma(): PrismaClient {
  holder.__oscomposePrisma ??= createPrisma(databaseUrl());
  return holder.__oscomposePrisma;
}

/**
 * The process-wide client as a value: `import { prisma } from '@oscompose/db'`. It connects
 * lazily on the first query, so importing it costs nothing.
 */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, prop) {
    const client = getPrisma();
    const value = Reflect.get(client, prop, client);
    return typeof value === 'function' ? value.bind(client) : value;
  },
});
