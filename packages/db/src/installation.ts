// The installation's identity, kept in its own database: one Installation row, created by
// whichever process (web, worker, seed) asks first. Everything the installation keeps outside the
// database is named by it — its Redis keys above all (queue, events, heartbeats, team slots) — so
// two installations that share a Redis never see each other's workers or take each other's jobs.
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from './client';
import { isUniqueViolation } from './errors';

type Db = Pick<PrismaClient, 'installation'>;

/** This database's installation id (12 hex characters), created on first use. */
export async function installationId(db: Db): Promise<string> {
  const found = await db.installation.findUnique({ where: { slot: 1 } });
  if (found) return found.id;
  try {
    return (await db.installation.create({ data: { slot: 1, id: randomBytes(6).toString('hex') } })).id;
  } catch (err) {
    // Another process (the web app and the worker start together) created it first.
    if (!isUniqueViolation(err)) throw err;
    return (await db.installation.findUniqueOrThrow({ where: { slot: 1 } })).id;
  }
}

/** The Redis prefix of this installation: OSCOMPOSE_REDIS_PREFIX when set, else one derived from its id. */
export async function installationRedisPrefix(db: Db, configured?: string): Promise<string> {
  return configured || `oscompose:${await installationId(db)}`;
}
