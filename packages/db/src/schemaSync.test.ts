// The PostgreSQL schema and migrations must follow the one model source (prisma/schema.prisma).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script without types
import { derivePostgresSchema } from '../scripts/prisma.mjs';

const root = path.resolve(import.meta.dirname, '../../..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');
const migrations = (dir: string) =>
  readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

describe('schema sources', () => {
  it('prisma/postgres/schema.prisma is derived from prisma/schema.prisma (run: npm run db:generate)', () => {
    expect(read('prisma/postgres/schema.prisma')).toBe(derivePostgresSchema(read('prisma/schema.prisma')));
  });

  it('every migration exists for both providers (run: npm run db:migration <name>)', () => {
    expect(migrations('prisma/postgres/migrations')).toEqual(migrations('prisma/migrations'));
  });

  it('the last migration snapshot is the current model (a schema change needs a migration)', () => {
    const last = migrations('prisma/migrations').at(-1)!;
    const strip = (s: string) => s.replace(/^\s*\/\/.*$/gm, '').replace(/\s+/g, ' ').replace(/output\s*=\s*"[^"]*"/, '');
    expect(strip(read(`prisma/migrations/${last}/schema.prisma`))).toBe(strip(read('prisma/schema.prisma')));
  });
});
