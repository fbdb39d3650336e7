// Every /api/v1 route handler goes through route() (or publicRoute() for product descriptions):
// a handler written without the wrapper fails this test.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../app/api/v1');
// Routes written before publicRoute() existed; their owners move them over.
const LEGACY_PUBLIC = new Set(['specs/schema/route.ts']);

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? routeFiles(p) : n === 'route.ts' ? [p] : [];
  });
}

describe('API routes', () => {
  it('every exported handler is made by route() or publicRoute()', () => {
    const bad: string[] = [];
    for (const file of routeFiles(apiDir)) {
      const rel = path.relative(apiDir, file).split(path.sep).join('/');
      if (LEGACY_PUBLIC.has(rel)) continue;
      const src = readFileSync(file, 'utf8');
      if (/export\s+(async\s+)?function\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/.test(src)) bad.push(`${rel}: exports a bare function`);
      for (const m of src.matchAll(/export\s+const\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s*=\s*([A-Za-z_]+)/g)) {
        if (!['route', 'publicRoute', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(m[2]!)) bad.push(`${rel}: ${m[1]} = ${m[2]}(…)`);
      }
    }
    expect(bad, 'wrap these handlers in route({ permission, … }, handler)').toEqual([]);
  });
});
