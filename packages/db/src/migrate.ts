// Applies the committed SQL migrations (prisma/migrations or prisma/postgres/migrations) to a
// database. We run them ourselves because Prisma 6.19's offline js schema engine cannot migrate
// PostgreSQL through @prisma/adapter-pg (prisma/orm#27403, "Column type 'name' could not be
// deserialized"). Bookkeeping uses Prisma's own `_prisma_migrations` table and checksums, so the
// Prisma CLI sees the same history.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { databaseProvider, findRepoRoot, postgresTarget, sqliteFilePath, type DatabaseProvider } from './url';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export function migrationsDir(provider: DatabaseProvider, root: string = findRepoRoot()): string {
  return path.join(root, provider === 'postgres' ? 'prisma/postgres/migrations' : 'prisma/migrations');
}

/** The migrations on disk, oldest first (directory names start with a timestamp). */
export function readMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) throw new MigrationError(`No migrations at ${dir}: is this an oscompose checkout?`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/**
 * Which migrations still need to run. A migration that started but never finished (a crash
 * mid-way) stops everything: the database needs a human look first.
 */
export function pendingMigrations(all: Migration[], applied: AppliedRow[]): Migration[] {
  const done = new Map<string, AppliedRow>();
  for (const row of applied) {
    if (row.rolled_back_at) continue;
    if (!row.finished_at) {
      throw new MigrationError(
        `Migration ${row.migration_name} started but did not finish. Inspect the database, then delete its ` +
          `row from _prisma_migrations (or restore a backup) and start again.`,
      );
    }
    done.set(row.migration_name, row);
  }
  for (const [name, row] of done) {
    const local = all.find((m) => m.name === name);
    if (local && local.checksum !== row.checksum) {
      // Prisma warns here too; we do not stop, because line endings and comments change checksums.
      process.emitWarning(`migration ${name} was modified after it was applied`);
    }
  }
  return all.filter((m) => !done.has(m.name));
}

const SQLITE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`;

const POSTGRES_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;

/** Applies pending migrations to `url`; returns the names it applied. Safe to run concurrently. */
export async function applyMigrations(url: string, opts: { root?: string } = {}): Promise<string[]> {
  const provider = databaseProvider(url);
  const all = readMigrations(migrationsDir(provider, opts.root));
  return provider === 'postgres' ? applyPostgres(url, all) : applySqlite(url, all);
}

function applySqlite(url: string, all: Migration[]): string[] {
  const file = sqliteFilePath(url);
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 10000');
    db.exec(SQLITE_TABLE);
    // IMMEDIATE takes the write lock up front, so a second process waits instead of racing.
    db.exec('BEGIN IMMEDIATE');
    try {
      const applied = db.prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations').all() as AppliedRow[];
      const pending = pendingMigrations(all, applied);
      for (const m of pending) {
        db.exec(m.sql);
        db.prepare(
          `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
           VALUES (?, ?, ?, ?, 1, ?)`,
        ).run(randomUUID(), m.checksum, Date.now(), m.name, Date.now());
      }
      db.exec('COMMIT');
      return pending.map((m) => m.name);
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    db.close();
  }
}

async function applyPostgres(url: string, all: Migration[]): Promise<string[]> {
  const { connectionString, schema } = postgresTarget(url);
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
  } catch (err) {
    throw new MigrationError(
      `Cannot reach PostgreSQL at ${connectionString.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')}: ` +
        `${(err as Error).message}. Start PostgreSQL or fix DATABASE_URL.`,
    );
  }
  try {
    // One migrator at a time per schema (several containers may start together). Taken before
    // CREATE SCHEMA, which is not safe to run concurrently even with IF NOT EXISTS.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`oscompose-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`SET search_path TO "${schema}"`);
    await client.query(POSTGRES_TABLE);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations',
    );
    const pending = pendingMigrations(all, rows);
    for (const m of pending) {
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
           VALUES ($1, $2, now(), $3, 1, now())`,
          [randomUUID(), m.checksum, m.name],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new MigrationError(`Migration ${m.name} failed: ${(err as Error).message}`);
      }
    }
    return pending.map((m) => m.name);
  } finally {
    await client.end().catch(() => {});
  }
}
