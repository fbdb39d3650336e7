import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations, MigrationError, pendingMigrations, postgresTarget, type Migration } from './index';

const m = (name: string): Migration => ({ name, sql: `-- ${name}`, checksum: name });
const done = (name: string) => ({ migration_name: name, checksum: name, finished_at: new Date(), rolled_back_at: null });

describe('pendingMigrations', () => {
  it('returns what has not been applied, in order', () => {
    expect(pendingMigrations([m('1_a'), m('2_b'), m('3_c')], [done('1_a')]).map((x) => x.name)).toEqual(['2_b', '3_c']);
  });

  it('stops on a migration that started and never finished, saying what to do', () => {
    const crashed = { ...done('2_b'), finished_at: null };
    expect(() => pendingMigrations([m('1_a'), m('2_b')], [done('1_a'), crashed])).toThrow(MigrationError);
    expect(() => pendingMigrations([m('1_a'), m('2_b')], [done('1_a'), crashed])).toThrow(/2_b started but did not finish/);
  });

  it('re-applies a rolled-back migration', () => {
    expect(pendingMigrations([m('1_a')], [{ ...done('1_a'), rolled_back_at: new Date() }]).map((x) => x.name)).toEqual(['1_a']);
  });
});

describe('applyMigrations run concurrently (several containers starting at once)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'oscompose-migrate-'));
  const base = process.env.TEST_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/test';
  const schema = `oscompose_migrate_${process.pid}_${Date.now().toString(36)}`;

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: postgresTarget(base).connectionString });
    await client.connect().catch(() => undefined);
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await client.end().catch(() => undefined);
  });

  it.each([
    ['sqlite', () => `file:${path.join(dir, 'c.db')}`],
    ['postgres', () => `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`],
  ])('on %s: each migration is applied exactly once', async (_name, url) => {
    const results = await Promise.all([applyMigrations(url()), applyMigrations(url()), applyMigrations(url())]);
    const applied = results.flat();
    expect(applied.length).toBeGreaterThan(0);
    expect(new Set(applied).size).toBe(applied.length);
    expect(results.filter((r) => r.length > 0)).toHaveLength(1);
  });
});
