// Compiled entry points: the `oscompose` CLI and the worker run as esbuild bundles, so a start
// does not compile TypeScript (tsx took 0.6–0.9 s before `--help` printed anything).
// `ensureBundle(name)` checks a stamp next to the bundle (every source esbuild read, with size,
// mtime and sha256) and rebuilds when a source changed. The check is one stat per source; a file
// is re-hashed only when its mtime moved, so a checkout or a Docker COPY that touches mtimes
// without changing content does not rebuild. Node built-ins only at load time: the CLI's shim
// runs this on every start, and esbuild is imported only when a build is needed.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DEFAULT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const THIS_FILE = fileURLToPath(import.meta.url);

/**
 * The bundles. `splitting` puts each dynamically imported module (the CLI's commands) in a chunk
 * of its own, so `oscompose --help` loads none of them. The CLI bundles its npm dependencies (all
 * plain JavaScript; one file loads faster than hundreds); the worker keeps them external (Prisma's
 * generated client, pino's transports and BullMQ's Lua scripts find files next to themselves).
 */
export const BUNDLES = {
  cli: { entry: 'packages/engine/src/cli/main.ts', outdir: 'packages/engine/dist', name: 'oscompose', splitting: true, bundleDependencies: true, minify: true },
  worker: { entry: 'apps/worker/src/main.ts', outdir: 'apps/worker/dist', name: 'main', splitting: false, bundleDependencies: false, sourcemap: true },
};

/**
 * Files whose change rebuilds every bundle besides the sources esbuild reads: versions, compiler
 * options, and this file (the build options).
 */
const EXTRA_INPUTS = ['package-lock.json', 'tsconfig.base.json'];
const STAMP = 'stamp.json';
const STAMP_VERSION = 2;
/** Chunks of an earlier build stay this long: a process started before the rebuild may still import them. */
const OLD_CHUNK_MS = 10 * 60_000;

// node:crypto loads only when a file must be hashed: not on the usual start, where every mtime matches.
const require = createRequire(import.meta.url);
const sha256 = (file) => require('node:crypto').createHash('sha256').update(readFileSync(file)).digest('hex');

function config(name, root) {
  const b = BUNDLES[name];
  if (!b) throw new Error(`unknown bundle "${name}" (known: ${Object.keys(BUNDLES).join(', ')})`);
  const outdir = path.join(root, b.outdir);
  return { ...b, root, outdir, entryFile: path.join(outdir, `${b.name}.mjs`), stampFile: path.join(outdir, STAMP) };
}

/**
 * Whether the bundle is current: its stamp lists every input with the size, mtime and hash it had
 * when built. A changed mtime with the same content updates the stamp instead of rebuilding.
 */
export function isFresh(name, { root = DEFAULT_ROOT } = {}) {
  const c = config(name, root);
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(c.stampFile, 'utf8'));
    statSync(c.entryFile);
  } catch {
    return false;
  }
  if (stamp.version !== STAMP_VERSION) return false;
  let touched = false;
  for (const [rel, entry] of Object.entries(stamp.inputs)) {
    const file = path.join(root, rel);
    let st;
    try {
      st = statSync(file);
    } catch {
      return false;
    }
    if (st.size !== entry.size) return false;
    if (st.mtimeMs === entry.mtimeMs) continue;
    if (sha256(file) !== entry.sha256) return false;
    entry.mtimeMs = st.mtimeMs;
    touched = true;
  }
  if (touched) {
    try {
      writeAtomic(c.stampFile, JSON.stringify(stamp));
    } catch {
      // a read-only install: the next start hashes again, still without rebuilding
    }
  }
  return true;
}

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * esbuild resolves `import.meta.url` to the bundle's own address; modules that find files next to
 * themselves (the catalog's recipes and compositions) need their source address. It is rewritten
 * relative to the output directory, so a moved checkout or image still finds them. Every output
 * file sits directly in outdir (no chunk subfolder), so one relative path fits every chunk.
 */
function sourceUrlPlugin(outdir) {
  return {
    name: 'source-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?tsx?$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const rel = path.relative(outdir, args.path).split(path.sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
      });
    },
  };
}

/**
 * `import { z } from 'zod'` pulls in zod's error-message translations for ~40 languages (260 KB,
 * 40% of what `validate` loads); nothing here selects a locale, so only English is bundled.
 */
function englishOnlyZodPlugin() {
  return {
    name: 'zod-english-only',
    setup(build) {
      build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
        contents: "export { default as en } from './en.js';",
        resolveDir: path.dirname(args.path),
      }));
    },
  };
}

/** Keeps npm packages out of the bundle; the workspace's own packages (TypeScript source) go in. */
function externalPackagesPlugin() {
  return {
    name: 'external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('@oscompose/') && !args.path.startsWith('@oscompose/db-client')) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

/** Builds the bundle now (esbuild), writes it and its stamp; returns the entry file. */
export async function buildBundle(name, { root = DEFAULT_ROOT } = {}) {
  const c = config(name, root);
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { [c.name]: path.join(root, c.entry) },
    outdir: c.outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    splitting: c.splitting,
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    sourcemap: c.sourcemap ? 'linked' : false,
    // Less to parse at every start; names kept for error names and stack traces.
    minify: c.minify ?? false,
    keepNames: true,
    // CommonJS dependencies inside an ES module bundle call require() for Node built-ins.
    banner: { js: "import { createRequire as __oscomposeCreateRequire } from 'node:module'; const require = __oscomposeCreateRequire(import.meta.url);" },
    plugins: [sourceUrlPlugin(c.outdir), ...(c.bundleDependencies ? [englishOnlyZodPlugin()] : [externalPackagesPlugin()])],
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  mkdirSync(c.outdir, { recursive: true });
  // Chunks first, the entry last: a process starting meanwhile sees the old entry or the new one whole.
  const outputs = result.outputFiles.sort((a, b) => (a.path === c.entryFile) - (b.path === c.entryFile));
  for (const f of outputs) writeAtomic(f.path, f.contents);
  removeOldOutputs(c.outdir, new Set(outputs.map((f) => f.path)));

  const inputs = {};
  const sources = Object.keys(result.metafile.inputs)
    .filter((p) => !p.split(/[\\/]/).includes('node_modules'))
    .map((p) => path.resolve(root, p));
  for (const file of [...sources, ...EXTRA_INPUTS.map((p) => path.join(root, p)), THIS_FILE]) {
    let st;
    try {
      st = statSync(file);
    } catch {
      continue; // no package-lock.json in a copied tree
    }
    inputs[path.relative(root, file)] = { size: st.size, mtimeMs: st.mtimeMs, sha256: sha256(file) };
  }
  writeAtomic(c.stampFile, JSON.stringify({ version: STAMP_VERSION, builtAt: new Date().toISOString(), inputs }));
  return c.entryFile;
}

function removeOldOutputs(outdir, keep) {
  const now = Date.now();
  for (const f of readdirSync(outdir)) {
    const file = path.join(outdir, f);
    if (keep.has(file) || f === STAMP || !/\.mjs(\.map)?$/.test(f)) continue;
    try {
      if (now - statSync(file).mtimeMs > OLD_CHUNK_MS) rmSync(file, { force: true });
    } catch {
      // removed by a concurrent build
    }
  }
}

/**
 * The bundle's entry file, rebuilt first when stale. Returns null when it cannot be built (esbuild
 * missing, a source that does not compile, a read-only install); `why` says why. Callers then run
 * the TypeScript source through tsx, which reports a broken source with its own message.
 */
export async function ensureBundle(name, { root = DEFAULT_ROOT } = {}) {
  const c = config(name, root);
  if (isFresh(name, { root })) return { entry: c.entryFile, built: false };
  try {
    return { entry: await buildBundle(name, { root }), built: true };
  } catch (err) {
    return { entry: null, built: false, why: err?.message ?? String(err) };
  }
}

/** The entry file as an import() specifier. */
export const entryUrl = (file) => pathToFileURL(file).href;
