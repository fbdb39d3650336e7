// Builds the Prisma driver adapter for a DATABASE_URL: better-sqlite3 for file: URLs, pg for
// postgres URLs. Used by the runtime client and by prisma.config.ts (migrate deploy).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { databaseProvider, postgresTarget, sqliteFilePath } from './url';

export function createAdapterFactory(url: string): PrismaBetterSQLite3 | PrismaPg {
  if (databaseProvider(url) === 'postgres') {
    const { connectionString, schema } = postgresTarget(url);
    // search_path makes unqualified SQL (migrations, $queryRaw) land in the chosen schema too.
    return new PrismaPg({ connectionString, options: `-c search_path=${schema}` }, { schema });
  }
  const file = sqliteFilePath(url);
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  return new PrismaBetterSQLite3({ url: file });
}
