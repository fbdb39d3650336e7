// docs/openapi.yaml must describe every builds route that exists, with the methods it exports.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
const apiDir = path.join(root, 'apps/web/app/api/v1/builds');

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? routeFiles(p) : n === 'route.ts' ? [p] : [];
  });
}

describe('docs/openapi.yaml', () => {
  it('lists every builds route and method', () => {
    const doc = parse(readFileSync(path.join(root, 'docs/openapi.yaml'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    for (const file of routeFiles(apiDir)) {
      const rel = path.relative(path.join(root, 'apps/web/app'), path.dirname(file));
      const apiPath = '/' + rel.split(path.sep).map((s) => s.replace(/^\[(.+)\]$/, '{$1}')).join('/');
      const methods = [...readFileSync(file, 'utf8').matchAll(/export const (GET|POST|PUT|PATCH|DELETE|HEAD)\b/g)].map((m) => m[1]!.toLowerCase());
      expect(doc.paths[apiPath], `${apiPath} is missing from docs/openapi.yaml`).toBeDefined();
      for (const m of methods) expect(doc.paths[apiPath]![m], `${m.toUpperCase()} ${apiPath} is missing from docs/openapi.yaml`).toBeDefined();
    }
  });
});
