// The import graph of the repository's own code: no file reaches itself through its imports
// (a loop hides behind a dynamic import() as easily as a static one), and the web server's
// `http/` layer imports `auth/`, never the reverse (docs/architecture.md). Imports are read with
// TypeScript's own pre-processor and resolved as the compiler resolves them, workspace packages
// through node_modules to their source.
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const options: ts.CompilerOptions = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowJs: true, resolveJsonModule: true, jsx: ts.JsxEmit.ReactJSX };

/** Source files git tracks: tests are left out (a test imports what it tests, nothing imports it). */
function sourceFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--', 'apps', 'packages', 'scripts'], { cwd: root, encoding: 'utf8' });
  return out
    .split('\0')
    .filter((f) => /\.(ts|tsx|mts|mjs)$/.test(f) && !/\.d\.m?ts$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.startsWith('packages/db-client/'))
    .map((f) => path.join(root, f));
}

/** file → the repository files it imports (type-only imports count: they tie the code as much). */
async function importGraph(): Promise<Map<string, string[]>> {
  const files = sourceFiles();
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(await readFile(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of info.importedFiles) {
      const resolved = ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule?.resolvedFileName;
      if (!resolved || resolved.includes('/node_modules/') && !realpathSync(resolved).startsWith(root + '/')) continue;
      const target = realpathSync(resolved);
      if (known.has(target) && target !== file) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Tarjan's strongly connected components of more than one file: every import loop. */
function loops(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(path.relative(root, w));
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the import graph', () => {
  let graph: Map<string, string[]>;
  beforeAll(async () => {
    graph = await importGraph();
  });

  it('reads the workspace packages through their names', () => {
    // The check below means something only if imports across packages are followed.
    const createBuild = graph.get(path.join(root, 'apps/web/src/server/builds/createBuild.ts'))!.map((f) => path.relative(root, f));
    expect(createBuild).toContain('packages/db/src/index.ts');
    expect(createBuild).toContain('apps/web/src/server/auth/caller.ts');
  });

  it('has no loop: no file reaches itself through its imports', () => {
    expect(loops(graph)).toEqual([]);
  });

  it('lets the web server http/ layer import auth/, never auth/ import http/', () => {
    const auth = path.join(root, 'apps/web/src/server/auth/');
    const http = path.join(root, 'apps/web/src/server/http/');
    const back = [...graph].flatMap(([from, to]) => (from.startsWith(auth) ? to.filter((t) => t.startsWith(http)).map((t) => `${path.relative(root, from)} -> ${path.relative(root, t)}`) : []));
    expect(back).toEqual([]);
    expect([...graph].some(([from, to]) => from.startsWith(http) && to.some((t) => t.startsWith(auth)))).toBe(true);
  });
});
