#!/usr/bin/env node
// Runs the Prisma CLI offline for both providers. prisma/schema.prisma (SQLite) is the one model
// source; the PostgreSQL schema is derived from it. Commands:
//   sync                 write prisma/postgres/schema.prisma from prisma/schema.prisma
//   generate             sync, then generate both clients (packages/db-client/{sqlite,postgres})
//   deploy               apply migrations to DATABASE_URL (SQLite or PostgreSQL)
//   migration <name>     write a new migration for both providers from the schema change
//   check                exit 1 when the derived postgres schema is stale
// Node built-ins only, so scripts/start.mjs can run it right after `npm install`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const sqliteSchema = path.join(root, 'prisma/schema.prisma');
const postgresSchema = path.join(root, 'prisma/postgres/schema.prisma');
const placeholder = path.join(root, 'prisma/engine-placeholder');

/** The postgres variant of the model source: same models, other provider and client output. */
export function derivePostgresSchema(source) {
  const out = source
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace('output     = "../packages/db-client/sqlite"', 'output     = "../../packages/db-client/postgres"');
  if (out.includes('"sqlite"') || !out.includes('db-client/postgres')) {
    throw new Error('prisma/schema.prisma: could not derive the postgres schema (provider/output lines changed?)');
  }
  return `// GENERATED from prisma/schema.prisma by packages/db/scripts/prisma.mjs — do not edit.\n${out}`;
}

function sync() {
  const want = derivePostgresSchema(readFileSync(sqliteSchema, 'utf8'));
  mkdirSync(path.dirname(postgresSchema), { recursive: true });
  const have = existsSync(postgresSchema) ? readFileSync(postgresSchema, 'utf8') : '';
  if (have !== want) writeFileSync(postgresSchema, want);
  return have === want;
}

/** Environment for the Prisma CLI: placeholder engines (never executed with engine "js"). */
export function prismaEnv(extra = {}) {
  return {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: placeholder,
    PRISMA_QUERY_ENGINE_LIBRARY: placeholder,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    PRISMA_DISABLE_WARNINGS: '1',
    CHECKPOINT_DISABLE: '1',
    ...extra,
  };
}

function prisma(args, { env = {}, capture = false } = {}) {
  const bin = path.join(root, 'node_modules/prisma/build/index.js');
  const res = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    env: prismaEnv(env),
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (res.status !== 0) {
    console.error(`prisma ${args.join(' ')} failed (exit ${res.status ?? res.signal})`);
    process.exit(res.status || 1);
  }
  return res.stdout;
}

const SQLITE_ENV = { DATABASE_URL: 'file:./data/oscompose.db' };
const POSTGRES_ENV = { DATABASE_URL: 'postgresql://localhost:5432/oscompose' };
// `migrate diff` opens a connection even when diffing two schema files.
const POSTGRES_DIFF_ENV = { DATABASE_URL: process.env.TEST_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/test' };

function generate() {
  sync();
  prisma(['generate', '--schema', sqliteSchema], { env: SQLITE_ENV });
  prisma(['generate', '--schema', postgresSchema], { env: POSTGRES_ENV });
}

function migration(name) {
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    console.error('usage: prisma.mjs migration <name>   (name: lower-case letters, digits, _)');
    process.exit(2);
  }
  sync();
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  for (const [schema, dir, env] of [
    [sqliteSchema, 'prisma/migrations', SQLITE_ENV],
    [postgresSchema, 'prisma/postgres/migrations', POSTGRES_DIFF_ENV],
  ]) {
    const migrationsDir = path.join(root, dir);
    const provider = env === SQLITE_ENV ? 'sqlite' : 'postgresql';
    const applied = existsSync(migrationsDir)
      ? readdirSync(migrationsDir).filter((d) => /^\d{14}_/.test(d)).sort()
      : [];
    // The previous model state is the schema snapshot stored with the last migration, so no
    // shadow database is needed (the offline js engine cannot create one for PostgreSQL).
    const from = applied.length
      ? ['--from-schema-datamodel', path.join(migrationsDir, applied.at(-1), 'schema.prisma')]
      : ['--from-empty'];
    const sql = prisma(['migrate', 'diff', ...from, '--to-schema-datamodel', schema, '--script'], { env, capture: true });
    if (/^-- This is an empty migration\.?\s*$/m.test(sql) && applied.length) {
      console.log(`${dir}: no change`);
      continue;
    }
    const target = path.join(migrationsDir, `${stamp}_${name}`);
    mkdirSync(target, { recursive: true });
    writeFileSync(path.join(target, 'migration.sql'), sql);
    writeFileSync(path.join(target, 'schema.prisma'), readFileSync(schema, 'utf8'));
    writeFileSync(
      path.join(migrationsDir, 'migration_lock.toml'),
      `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`,
    );
    console.log(`wrote ${path.relative(root, target)}/migration.sql`);
  }
}

const [cmd, ...rest] = process.argv.slice(2);
if (import.meta.url === `file://${process.argv[1]}`) {
  switch (cmd) {
    case 'sync':
      sync();
      break;
    case 'check':
      if (!sync()) {
        console.error('prisma/postgres/schema.prisma was stale; it has been rewritten: commit it.');
        process.exit(1);
      }
      break;
    case 'generate':
      generate();
      break;
    case 'deploy':
      prisma(['migrate', 'deploy']);
      break;
    case 'migration':
      migration(rest[0]);
      break;
    default:
      console.error('usage: node packages/db/scripts/prisma.mjs sync|check|generate|deploy|migration <name>');
      process.exit(2);
  }
}
