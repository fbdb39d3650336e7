// The recipe → OCI image builder and buildStarterCatalog: resolves each recipe's Debian
// packages, assembles its filesystem, writes a deterministic image into the image store, and
// skips recipes whose inputs (recipe, .deb digests, files) are unchanged since the last run.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { findInLayout, pushImage, tarBuffer, writeImage, type FsEntry } from '@oscompose/engine';
import { atomicWrite, DebianArchive, type ArchiveOptions } from './debian/archive';
import { debEntries } from './debian/extract';
import type { DebPackage } from './debian/packagesIndex';
import { DEFAULT_REFERENCE_HOST } from './compositions';
import { RecipeError } from './errors';
import { kernelImageEntries, kernelParts } from './kernel/kernelImage';
import { loadRecipes, RECIPES_DIR } from './recipe/load';
import { filterEntries, mergeLayers, resolveHardlinks, withParents } from './recipe/rootfs';
import type { Recipe } from './recipe/schema';
import { treeEntries } from './recipe/tree';
import { missingLibraries } from './recipe/sharedLibs';

/** Bump when the builder's output changes for the same inputs (invalidates the skip cache). */
const BUILDER_VERSION = '1';

export interface CatalogImage {
  name: string;
  kind: Recipe['kind'];
  /** Full reference, e.g. localhost:5000/oscompose/httpd:0.1 */
  reference: string;
  tag: string;
  /** Manifest digest in the image store. */
  digest: string;
  title: string;
  description: string;
  /** The org.mobyproject.config defaults (what a spec entry gets for this image). */
  defaultConfig: Record<string, unknown>;
  /** Catalog keywords. */
  tags: string[];
  /** Bytes of the image's blobs (config + compressed layers). */
  size: number;
  source: 'debian';
  packages: Array<{ name: string; version: string; sha256: string }>;
}

export interface BuildCatalogOptions {
  /** OCI image layout directory (OSCOMPOSE_IMAGE_STORE, data/images). */
  imageStore: string;
  /** Downloads and indexes (data/debian by default). */
  cacheDir: string;
  /** Host part of the references (the caller's OSCOMPOSE_REGISTRY; default localhost:5000). */
  referenceHost?: string;
  /** Push each image to this registry host (host:port, plain HTTP) when given. */
  registry?: string;
  recipesDir?: string;
  /** Only these recipes (by name). */
  only?: string[];
  onProgress?: (message: string) => void;
  archive?: Partial<ArchiveOptions>;
}

/** Where `npm start` and the CLI keep things: OSCOMPOSE_IMAGE_STORE / data/images and data/debian. */
export function defaultCatalogPaths(repoRoot: string, env: Record<string, string | undefined>): { imageStore: string; cacheDir: string } {
  return {
    imageStore: resolve(repoRoot, env.OSCOMPOSE_IMAGE_STORE ?? 'data/images'),
    cacheDir: resolve(repoRoot, env.OSCOMPOSE_DEBIAN_CACHE ?? 'data/debian'),
  };
}

export function referenceFor(name: string, tag: string, host = DEFAULT_REFERENCE_HOST): string {
  return `${host}/oscompose/${name}:${tag}`;
}

interface CacheRecord {
  key: string;
  images: CatalogImage[];
}

async function hashFiles(paths: string[]): Promise<string> {
  const h = createHash('sha256');
  for (const p of paths) {
    h.update(p);
    for (const e of await treeOrFile(p)) h.update(`${e.path}\0${e.mode}\0${e.linkname ?? ''}\0`).update((e.content as Buffer | undefined) ?? '');
  }
  return h.digest('hex');
}

async function treeOrFile(p: string): Promise<FsEntry[]> {
  if (!existsSync(p)) return [];
  try {
    return await treeEntries(p);
  } catch {
    const content = await readFile(p);
    return [{ path: p, type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, content }];
  }
}

/** Packages a recipe takes files from, resolved to index entries (kernel metapackages followed). */
export function resolvePackages(recipe: Recipe, archive: DebianArchive): DebPackage[] {
  const names = recipe.kernel ? [recipe.kernel.package, ...recipe.packages] : recipe.packages;
  return names.map((n) => {
    const p = archive.resolve(n);
    // linux-image-cloud-amd64 is a metapackage: take the linux-image-<abi> it depends on
    if (recipe.kernel && n === recipe.kernel.package && !p.filename.includes('linux-image-6') && p.depends.length) {
      const dep = p.depends.find((d) => d.startsWith('linux-image-'));
      if (dep) return archive.resolve(dep);
    }
    return p;
  });
}

async function recipeFileEntries(recipe: Recipe, recipesDir: string): Promise<FsEntry[]> {
  const out: FsEntry[] = [];
  for (const f of recipe.files) {
    const base = { path: f.path, uid: f.uid, gid: f.gid, size: 0 };
    if (f.symlink !== undefined) out.push({ ...base, type: 'symlink', mode: 0o777, linkname: f.symlink });
    else if (f.directory) out.push({ ...base, type: 'dir', mode: f.mode ?? 0o755 });
    else {
      const content = f.contents !== undefined ? Buffer.from(f.contents) : await readFile(resolve(recipesDir, f.source!)).catch(() => {
        throw new RecipeError(`files: ${f.source} not found next to the recipe`, recipe.name);
      });
      out.push({ ...base, type: 'file', mode: f.mode ?? 0o644, size: content.length, content });
    }
  }
  return out;
}

/** The image variants a recipe produces: [tag, filesystem entries]. */
async function recipeImages(recipe: Recipe, debs: FsEntry[][], recipesDir: string): Promise<Array<[string, FsEntry[]]>> {
  if (recipe.kernel) {
    const parts = kernelParts(debs[0]!, recipe.name);
    const out: Array<[string, FsEntry[]]> = [];
    for (const [tag, set] of Object.entries(recipe.kernel.moduleSets)) out.push([tag, await kernelImageEntries(parts, set, recipe.name)]);
    return out;
  }
  const fromDebs = filterEntries(resolveHardlinks(mergeLayers(...debs)), recipe.keep, recipe.drop);
  const trees: FsEntry[][] = [];
  for (const t of recipe.trees) trees.push(await treeEntries(resolve(recipesDir, t)));
  const files = await recipeFileEntries(recipe, recipesDir);
  // runc mounts /proc, /dev, /sys (and LinuxKit binds under /etc, /tmp) onto these; a read-only
  // rootfs cannot grow them at run time.
  const mountpoints: FsEntry[] =
    recipe.kind === 'init' ? [] : ['dev', 'etc', 'proc', 'sys', 'tmp'].map((path) => ({ path, type: 'dir', mode: path === 'tmp' ? 0o1777 : 0o755, uid: 0, gid: 0, size: 0 }));
  const entries = withParents(mergeLayers(mountpoints, fromDebs, ...trees, files), debs.flat());
  const missing = missingLibraries(entries);
  if (missing.length) {
    throw new RecipeError(`${missing.join(', ')}, which the image lacks: add the Debian package that ships it to packages: and its path to keep:`, recipe.name);
  }
  return recipe.tags!.map((tag) => [tag, entries]);
}

function labelsOf(recipe: Recipe, pkgs: DebPackage[]): Record<string, string> {
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': recipe.title,
    'org.opencontainers.image.description': recipe.description,
    'org.oscompose.kind': recipe.kind,
    'org.oscompose.debian.packages': pkgs.map((p) => `${p.name}=${p.version}`).join(' '),
  };
  if (recipe.mobyConfig) labels['org.mobyproject.config'] = JSON.stringify(recipe.mobyConfig);
  return labels;
}

// The default host keys as '' (as when the host was read from an unset variable), so images
// built before the host became an option stay cached.
function cacheKeyHost(host: string | undefined): string {
  return !host || host === DEFAULT_REFERENCE_HOST ? '' : host;
}

export async function buildStarterCatalog(opts: BuildCatalogOptions): Promise<CatalogImage[]> {
  const log = opts.onProgress ?? (() => {});
  const recipesDir = opts.recipesDir ?? RECIPES_DIR;
  let recipes = await loadRecipes(recipesDir);
  if (opts.only) recipes = recipes.filter((r) => opts.only!.includes(r.name));
  const archive = new DebianArchive({ cacheDir: opts.cacheDir, onProgress: log, ...opts.archive });
  await archive.load();
  const cacheFile = join(opts.cacheDir, 'catalog-build.json');
  // A damaged or half-written record only costs a rebuild.
  const cache: Record<string, CacheRecord> = await readFile(cacheFile, 'utf8')
    .then((t) => JSON.parse(t) as Record<string, CacheRecord>)
    .catch(() => ({}));
  const all: CatalogImage[] = [];

  for (const [i, recipe] of recipes.entries()) {
    const pkgs = resolvePackages(recipe, archive);
    const inputsHash = await hashFiles([...recipe.trees, ...recipe.files.flatMap((f) => (f.source ? [f.source] : []))].map((p) => resolve(recipesDir, p)));
    const key = createHash('sha256')
      .update(JSON.stringify({ BUILDER_VERSION, recipe, debs: pkgs.map((p) => p.sha256), inputsHash, host: cacheKeyHost(opts.referenceHost) }))
      .digest('hex');
    const prev = cache[`${opts.imageStore}\0${recipe.name}`];
    const step = `[${i + 1}/${recipes.length}] ${recipe.name}`;
    if (prev && prev.key === key && (await allPresent(opts.imageStore, prev.images))) {
      log(`${step}: unchanged, cached`);
      all.push(...prev.images);
      continue;
    }
    log(`${step}: ${pkgs.map((p) => `${p.name} ${p.version}`).join(', ') || 'no packages'}`);
    const debs: FsEntry[][] = [];
    for (const p of pkgs) debs.push(await debEntries(await archive.fetchDeb(p)));
    const images: CatalogImage[] = [];
    for (const [tag, entries] of await recipeImages(recipe, debs, recipesDir)) {
      const layer = await tarBuffer(entries, { mtime: 0 });
      const ref = referenceFor(recipe.name, tag, opts.referenceHost);
      const written = await writeImage(opts.imageStore, { ref, config: recipe.config, labels: labelsOf(recipe, pkgs), layers: [layer] });
      const size = written.manifest.config.size + written.manifest.layers.reduce((n, l) => n + l.size, 0);
      log(`${step}: wrote ${written.reference} ${written.digest.slice(0, 19)} (${Math.round(size / 1024)} KiB)`);
      if (opts.registry) await push(opts, written.reference, log);
      images.push({
        name: recipe.name,
        kind: recipe.kind,
        reference: written.reference,
        tag,
        digest: written.digest,
        title: recipe.title,
        description: recipe.description,
        defaultConfig: recipe.mobyConfig ?? {},
        tags: recipe.keywords,
        size,
        source: 'debian',
        packages: pkgs.map((p) => ({ name: p.name, version: p.version, sha256: p.sha256 })),
      });
    }
    cache[`${opts.imageStore}\0${recipe.name}`] = { key, images };
    await mkdir(dirname(cacheFile), { recursive: true });
    await atomicWrite(cacheFile, JSON.stringify(cache, null, 1));
    all.push(...images);
  }
  return all;
}

async function allPresent(store: string, images: CatalogImage[]): Promise<boolean> {
  for (const im of images) {
    const d = await findInLayout(store, im.reference).catch(() => undefined);
    if (!d || d.digest !== im.digest) return false;
  }
  return true;
}

// The engine exports a push for OCI layouts (plain HTTP, basic/token auth); a production push
// with TLS and retries belongs to the engine's registry client when it grows one.
async function push(opts: BuildCatalogOptions, reference: string, log: (m: string) => void): Promise<void> {
  await pushImage(opts.registry!, reference, opts.imageStore);
  log(`pushed ${reference} to ${opts.registry}`);
}
