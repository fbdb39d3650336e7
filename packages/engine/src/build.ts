// build(): the whole road for callers that want one call (the CLI, tests, benchmarks):
// load the spec → check formats and host tools → resolve images (inputs.ts) → read host sources →
// plan (buildPlan.ts, pure) → execute (execute.ts). The worker runs the same steps one by one,
// because it consults its build cache between resolving and planning.
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve as resolvePath } from 'node:path';
import { parseSpecs, SpecError, type Spec } from '@oscompose/spec';
import type { Compression, HardlinkPolicy } from './initramfs/index';
import { describeMissing, locateTool, missingTools } from './outputs/disk/index';
import type { BuildEvent } from './outputs/types';
import type { BuildLimits } from './image/safety';
import { defaultCacheDir } from './cache/blob-cache';
import { BuildError, checkAbort } from './errors';
import { checkFormats, plan } from './buildPlan';
import { execute, type BuildResult } from './execute';
import { defaultImageProvider, readSources, resolveImages, type ImageProvider } from './inputs';

export type { BuildEvent } from './outputs/types';
export { BuildError } from './errors';
export type { Artifact, BuildResult } from './execute';

export interface BuildOptions {
  /** A parsed spec, or spec files merged in order (LinuxKit's `build a.yml b.yml`). */
  spec?: Spec;
  specFiles?: string[];
  /** Directory `source:` paths are relative to. Default: the first spec file's directory, else cwd. */
  baseDir?: string;
  /**
   * Which host files `files: [{source: …}]` may read: `any` (LinuxKit's behaviour, for the CLI),
   * `base-dir` (only below baseDir) or `none` (servers building specs from users).
   */
  sources?: 'any' | 'base-dir' | 'none';
  formats?: string[];
  outDir?: string;
  /** Scratch directory (created if missing, left for the caller); default a temp dir, removed after. */
  workDir?: string;
  /** Artifact base name. Default: the first spec file's name without extension, else "linuxkit". */
  name?: string;
  cacheDir?: string;
  imageStores?: string[];
  pull?: boolean;
  arch?: string;
  insecureRegistries?: string[];
  /** Reuse cached section archives (default true; the CLI turns it off for OSCOMPOSE_NO_SECTION_CACHE=1). */
  sectionCache?: boolean;
  compression?: Compression;
  /** gzip 1–9 (default 5) or zstd 1–19 (default 3). Part of each section's cache key. */
  compressionLevel?: number;
  /** LinuxKit turns hard links into relative symlinks in the initrd; `keep` writes real ones. */
  hardlinks?: HardlinkPolicy;
  /** Seconds since the epoch for every timestamp (default 0; the CLI passes SOURCE_DATE_EPOCH). */
  sourceDateEpoch?: number;
  /** The SBOM's path in the image (default sbom.spdx.json); false: none (`--no-sbom`). */
  sbom?: string | false;
  signal?: AbortSignal;
  onEvent?: (e: BuildEvent) => void;
  /** Image acquisition; default: the engine's resolver (image stores, blob cache, registries). */
  images?: ImageProvider;
  /** Limits for the default image provider (a provider passed as `images` brings its own). */
  limits?: BuildLimits;
}

export async function loadSpec(opts: Pick<BuildOptions, 'spec' | 'specFiles'>): Promise<Spec> {
  if (opts.spec) return opts.spec;
  if (!opts.specFiles?.length) throw new BuildError('no spec given: pass a spec or at least one spec file');
  const inputs = await Promise.all(
    opts.specFiles.map(async (file) => {
      try {
        return { file, text: await readFile(file, 'utf8') };
      } catch (e) {
        throw new BuildError(`cannot read spec file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }),
  );
  const { spec, problems } = parseSpecs(inputs);
  if (!spec) throw new SpecError(problems);
  return spec;
}

/**
 * Fails at once when a format is unknown or this host lacks a tool one needs (xorriso,
 * qemu-img, zstd…), so a missing tool fails in a second, not after the images are fetched.
 */
export function checkHostTools(formats: string[], compression: Compression = 'gzip'): void {
  const missing = missingTools(checkFormats(formats));
  if (compression === 'zstd' && !locateTool('zstd')) missing.push({ tool: 'zstd', debianPackage: 'zstd', formats: ['--compression zstd'] });
  if (missing.length) throw new BuildError(`missing host tools: ${describeMissing(missing).join('; ')}`);
}

export async function build(opts: BuildOptions): Promise<BuildResult> {
  const { signal } = opts;
  const spec = await loadSpec(opts);
  const formats = opts.formats?.length ? opts.formats : ['kernel+initrd'];
  checkHostTools(formats, opts.compression);
  const baseDir = opts.baseDir ?? (opts.specFiles?.[0] ? dirname(resolvePath(opts.specFiles[0])) : process.cwd());
  const cacheDir = opts.cacheDir ?? defaultCacheDir();

  const images =
    opts.images ??
    (await defaultImageProvider({
      cacheDir, imageStores: opts.imageStores ?? [], pull: opts.pull ?? false, arch: opts.arch ?? 'amd64',
      insecureRegistries: opts.insecureRegistries ?? [], signal, limits: opts.limits,
    }));
  checkAbort(signal);
  const resolved = await resolveImages(spec, images, { signal, onEvent: opts.onEvent });
  checkAbort(signal);
  const sources = await readSources(spec, { baseDir, sources: opts.sources ?? 'any' });

  const planned = plan(spec, resolved, {
    formats,
    name: opts.name ?? (opts.specFiles?.[0] ? basename(opts.specFiles[0], extname(opts.specFiles[0])) : 'linuxkit'),
    compression: opts.compression,
    compressionLevel: opts.compressionLevel,
    hardlinks: opts.hardlinks,
    sourceDateEpoch: opts.sourceDateEpoch ?? 0,
    sources,
    sbom: opts.sbom,
  });
  return execute(planned, {
    images,
    outDir: opts.outDir ?? '.',
    workDir: opts.workDir,
    cacheDir,
    sectionCache: opts.sectionCache ?? true,
    signal,
    onEvent: opts.onEvent,
  });
}
