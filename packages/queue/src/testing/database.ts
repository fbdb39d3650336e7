// A test's own database: every migration applied, one user (owner) in one team. The apps' tests
// and the pipeline harness start from it.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { applyMigrations, createPrisma, type PrismaClient } from '@oscompose/db';

export interface TestDb {
  url: string;
  /** PostgreSQL schema to drop at the end (none for SQLite). */
  schema?: string;
  db: PrismaClient;
  userId: string;
  teamId: string;
}

/**
 * A fresh database with every migration and one user (owner) in one team: SQLite in `dir`, or,
 * when PIPELINE_TEST_POSTGRES_URL is set, a new schema on that PostgreSQL server.
 */
export async function createTestDb(dir: string): Promise<TestDb> {
  const pg = process.env.PIPELINE_TEST_POSTGRES_URL;
  const schema = pg ? `pipeline_${process.pid}_${randomBytes(3).toString('hex')}` : undefined;
  const url = pg ? `${pg}${pg.includes('?') ? '&' : '?'}schema=${schema}` : `file:${path.join(dir, 'oscompose.db')}`;
  await applyMigrations(url);
  const db = createPrisma(url);
  // WAL lets the worker processes and the test read and write at once.
  if (!pg) await db.$queryRawUnsafe('PRAGMA journal_mode=WAL');
  const user = await db.user.create({ data: { name: 'Local User', email: `local-${randomBytes(3).toString('hex')}@oscompose.local` } });
  const team = await db.team.create({ data: { name: 'Default', slug: `default-${randomBytes(3).toString('hex')}` } });
  await db.membership.create({ data: { userId: user.id, teamId: team.id, role: 'owner' } });
  return { url, db, userId: user.id, teamId: team.id, ...(schema ? { schema } : {}) };
}
