// The import graph of the repository's own code: no file reaches itself through its imports
// (a loop hides behind a dynamic import() as easily as a static one), and the web server's
// `http/` layer imports `auth/`, never the reverse (docs/architecture.md). And the environment is
// read only where a process takes its configuration. Imports are read with
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

// Where production code may read process.env, and why. Everything else takes its settings as
// arguments from these (docs/architecture.md, "Configuration").
const ENV_READERS: Record<string, string> = {
  'apps/web/src/server/config.ts': 'the web app\'s config',
  'apps/web/next.config.ts': 'Next.js loads it before the app',
  'apps/worker/src/config.ts': 'the worker\'s config',
  'packages/db/src/serverConfig.ts': '(a comment naming the rule)',
  'packages/catalog/src/cli.ts': 'a command of its own: npm run catalog:build',
  'packages/engine/src/cli/main.ts': 'the oscompose CLI: its environment becomes io.env',
  'packages/engine/src/cli/submit.ts': 'the CLI\'s server settings (default for io.env)',
  'packages/engine/src/cache/blob-cache.ts': 'the CLI\'s default cache directory (servers pass theirs)',
  'packages/engine/src/registry/client.ts': 'the CLI\'s credentials (servers pass env and dockerConfig: false)',
  'packages/engine/src/registry/credentials.ts': 'the CLI\'s docker config.json (servers pass dockerConfig: false)',
  'packages/engine/src/outputs/disk/tools.ts': 'the environment of the host tools it runs',
};

describe('the environment', () => {
  it('is read only where a process takes its configuration', async () => {
    const readers: string[] = [];
    for (const file of sourceFiles()) {
      const rel = path.relative(root, file);
      // Commands of their own (scripts/, bin/) and test code are their processes' configuration.
      if (/(^|\/)(testing|test|e2e|bench|scripts|bin)\//.test(rel)) continue;
      // PATH is how a program finds the host tools it runs (as spawn does), not a setting.
      if ((await readFile(file, 'utf8')).replaceAll('process.env.PATH', '').includes('process.env')) readers.push(rel);
    }
    expect(readers.filter((f) => !(f in ENV_READERS))).toEqual([]);
    // The list stays true: a file that stopped reading the environment leaves it.
    expect(Object.keys(ENV_READERS).filter((f) => !readers.includes(f))).toEqual([]);
  });
});
