// What a build reads before it is planned (the I/O half of "resolve, then plan"): every image
// reference pinned to a digest with its image config, and the host files `files: source:` names.
// The planner (buildPlan.ts) takes these as data and touches nothing itself.
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { Spec } from '@oscompose/spec';
import type { FsEntry } from './oci/entry';
import type { PlannedImage } from './layout/plan';
import type { BuildEvent } from './outputs/types';
import type { ImageResolverOptions, ResolvedImage } from './image/resolve';
import { checkCompressedSize, DEFAULT_LIMITS, UnpackBudget, type BuildLimits } from './image/safety';
import { BuildError, checkAbort } from './errors';

/** What the engine needs from image acquisition (image/): pin a reference, stream its files. */
export interface ImageProvider {
  /**
   * Pins a reference: `digest` is the image manifest for the build's arch; `pinned` (optional) is
   * the reference to write into a resolved spec (LinuxKit pins to the multi-arch index digest);
   * `source` (optional) says where it was found (image store, blob cache or registry).
   */
  resolve(ref: string): Promise<{ ref: string; digest: string; pinned?: string; config?: { config?: PlannedImage['config'] }; source?: ResolvedImage['source'] }>;
  flatten(image: { ref: string; digest: string }): AsyncIterable<FsEntry>;
  /**
   * What the build's SBOM needs of a resolved image: the SPDX documents of its attestation and
   * its architecture. Optional: a provider without it contributes package databases only.
   */
  sbom?(image: { ref: string; digest: string }): Promise<{ attestations: Record<string, unknown>[]; architecture?: string }>;
}

export interface ImageProviderOptions {
  cacheDir: string;
  imageStores: string[];
  pull: boolean;
  arch: string;
  insecureRegistries: string[];
  signal?: AbortSignal;
  /** Registry client options (a server's RegistryPolicy, credentials sources, retries). */
  registry?: ImageResolverOptions['registry'];
  /** Per-image and per-build limits on what flattening may decompress (one budget per provider). */
  limits?: BuildLimits;
}

/** The default image provider: image/'s resolver (image stores, blob cache, registries) and flattener. */
export async function defaultImageProvider(opts: ImageProviderOptions): Promise<ImageProvider> {
  const { createImageResolver } = await import('./image/resolve');
  const { flattenImage } = await import('./image/flatten');
  const resolver = createImageResolver({
    cacheDir: opts.cacheDir, imageStores: opts.imageStores, insecureRegistries: opts.insecureRegistries, arch: opts.arch, pull: opts.pull,
    ...(opts.registry ? { registry: opts.registry } : {}),
  });
  // Flattening reuses what resolving found (manifest, layers): an image is resolved once per build.
  const byDigest = new Map<string, ResolvedImage>();
  const limits = opts.limits ?? {};
  const maxImageBytes = limits.maxImageBytes ?? DEFAULT_LIMITS.maxBytes;
  const budget = limits.maxBuildBytes !== undefined ? new UnpackBudget(limits.maxBuildBytes) : undefined;
  return {
    async resolve(ref) {
      const r = await resolver.resolve(ref);
      byDigest.set(r.digest, r);
      return { ref, digest: r.digest, pinned: r.pinned, config: r.config, source: r.source };
    },
    async *flatten(img) {
      const r = byDigest.get(img.digest) ?? (await resolver.resolve(img.ref));
      checkCompressedSize(r.reference, r.layers, maxImageBytes);
      await resolver.fetchLayers(r);
      yield* flattenImage(r, { maxBytes: maxImageBytes, maxEntries: limits.maxImageEntries, budget, signal: opts.signal });
    },
    async sbom(img) {
      const r = byDigest.get(img.digest) ?? (await resolver.resolve(img.ref));
      return { attestations: await resolver.sboms(r), architecture: r.config.architecture };
    },
  };
}

/** Every image reference of a spec, once each, in build order (kernel, init, containers, volumes). */
export function specImages(spec: Spec): string[] {
  const refs = new Set<string>();
  if (spec.kernel?.image) refs.add(spec.kernel.image);
  for (const r of spec.init ?? []) refs.add(r);
  for (const s of ['onboot', 'onshutdown', 'services'] as const) for (const c of spec[s] ?? []) refs.add(c.image);
  for (const v of spec.volumes ?? []) if (v.image) refs.add(v.image);
  return [...refs];
}

/** The spec's images as resolved: what the planner sees of each, and the reference it is pinned as. */
export interface ResolvedImages {
  images: ReadonlyMap<string, PlannedImage>;
  /** Image reference → the reference written into the resolved spec (`ref@sha256:…`). */
  pinned: ReadonlyMap<string, string>;
}

function pin(ref: string, digest: string): string {
  return `${ref.replace(/@sha256:[0-9a-f]{64}$/, '')}@${digest}`;
}

/** Resolves every image reference of the spec, once each, in parallel. */
export async function resolveImages(
  spec: Spec,
  provider: Pick<ImageProvider, 'resolve'>,
  opts: { signal?: AbortSignal; onEvent?: (e: BuildEvent) => void } = {},
): Promise<ResolvedImages> {
  const refs = specImages(spec);
  const images = new Map<string, PlannedImage>();
  const pinned = new Map<string, string>();
  let done = 0;
  opts.onEvent?.({ type: 'stage', stage: 'resolve', total: refs.length, done: 0 });
  await Promise.all(
    refs.map(async (ref) => {
      const r = await provider.resolve(ref);
      checkAbort(opts.signal);
      images.set(ref, { ref, digest: r.digest, config: r.config?.config });
      pinned.set(ref, r.pinned ?? pin(ref, r.digest));
      opts.onEvent?.({ type: 'progress', stage: 'resolve', done: ++done, total: refs.length, message: `${ref} → ${r.digest}` });
    }),
  );
  return { images, pinned };
}

/** The spec with every image reference replaced by its pinned form (pure). */
export function pinSpec(spec: Spec, resolved: Pick<ResolvedImages, 'pinned'>): Spec {
  const p = (ref: string) => resolved.pinned.get(ref) ?? ref;
  const out: Spec = structuredClone(spec);
  if (out.kernel?.image) out.kernel.image = p(out.kernel.image);
  if (out.init) out.init = out.init.map(p);
  for (const s of ['onboot', 'onshutdown', 'services'] as const) for (const c of out[s] ?? []) c.image = p(c.image);
  for (const v of out.volumes ?? []) if (v.image) v.image = p(v.image);
  return out;
}

/**
 * The same resolution keyed by the pinned references, for planning the pinned spec (what a
 * server stores and builds) without resolving its images a second time.
 */
export function pinnedImages(resolved: ResolvedImages): ResolvedImages {
  const images = new Map<string, PlannedImage>();
  const pinned = new Map<string, string>();
  for (const [ref, img] of resolved.images) {
    const p = resolved.pinned.get(ref) ?? ref;
    images.set(p, { ...img, ref: p });
    pinned.set(p, p);
  }
  return { images, pinned };
}

export interface SourceOptions {
  /** Directory `source:` paths are relative to. */
  baseDir: string;
  /**
   * Which host files `files: [{source: …}]` may read: `any` (LinuxKit's behaviour, for the CLI),
   * `base-dir` (only below baseDir) or `none` (servers building specs from users).
   */
  sources: 'any' | 'base-dir' | 'none';
}

/**
 * Reads the host files the spec's `files` section names, under the source policy. A file that
 * cannot be read maps to undefined (the planner decides whether that is an error: `optional`).
 */
export async function readSources(spec: Spec, opts: SourceOptions): Promise<Map<string, Buffer | undefined>> {
  const out = new Map<string, Buffer | undefined>();
  for (const f of spec.files ?? []) {
    // Only entries whose contents come from the source: the planner reports the others' conflicts.
    if (!f.source || f.directory || f.symlink || f.contents !== undefined || f.metadata || out.has(f.source)) continue;
    out.set(f.source, await readSource(f.source, opts));
  }
  return out;
}

async function readSource(src: string, { baseDir, sources }: SourceOptions): Promise<Buffer | undefined> {
  if (sources === 'none') throw new BuildError(`files: source "${src}" is not allowed here (host files cannot be read in this build); use contents instead`);
  const p = src.startsWith('~/') ? join(homedir(), src.slice(2)) : resolvePath(baseDir, src);
  if (sources === 'base-dir' && !(p + '/').startsWith(resolvePath(baseDir) + '/')) {
    throw new BuildError(`files: source "${src}" is outside ${baseDir}; only files below the spec directory may be read`);
  }
  try {
    if (!(await stat(p)).isFile()) return undefined;
    return await readFile(p);
  } catch {
    return undefined;
  }
}
