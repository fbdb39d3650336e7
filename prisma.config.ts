// Prisma CLI configuration. Prisma runs offline here: the js engine talks to the database through
// the same driver adapter as the app (no downloaded schema-engine binary). DATABASE_URL picks the
// schema and migrations: SQLite (default) or PostgreSQL. Run it through
// `node packages/db/scripts/prisma.mjs …`, which sets the placeholder engine variables.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { createAdapterFactory } from './packages/db/src/adapter';
import { DEFAULT_DATABASE_URL, databaseProvider } from './packages/db/src/url';

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const dir = databaseProvider(url) === 'postgres' ? 'prisma/postgres' : 'prisma';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(dir, 'schema.prisma'),
  migrations: { path: path.join(dir, 'migrations') },
  async adapter() {
    return createAdapterFactory(url);
  },
});
