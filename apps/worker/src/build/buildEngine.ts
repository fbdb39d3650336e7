// The engine step over @oscompose/engine: parse (server mode) and resolve once, then plan and
// execute that resolution. Every spec is a user's: parsed by parseServerSpec (no host files), the
// function the web app checked it with, its sources refused ('none'), images fetched under the
// team's registry policy (docs/security.md). The job carries only the build id, so the worker
// reads the stored text and parses it again: it is the second line for a spec that reached the
// database some other way.

import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  availableFormats,
  checkHostTools,
  CONTENTS_FORMAT,
  contentsFileName,
  defaultImageProvider,
  ENGINE_VERSION,
  execute,
  getFormat,
  listFormats,
  pinnedImages,
  pinSpec,
  plan,
  qemuDiskFormat,
  readSources,
  resolveImages,
  SBOM_FORMAT,
  sbomFileName,
  type BuildLimits,
} from '@oscompose/engine';
import { parseServerSpec } from '@oscompose/spec';
import { stringify } from 'yaml';
import { bootTargets } from './bootTargets';
import type { BuildEngine } from './engine';

export interface BuildEngineOptions {
  cacheDir: string;
  imageStores: string[];
  insecureRegistries?: string[];
  arch?: string;
  /** What flattening may decompress, per image and per build (each build gets its own budget). */
  limits?: BuildLimits;
  /** Every timestamp in the artifacts (the worker's SOURCE_DATE_EPOCH; default 0). */
  sourceDateEpoch?: number;
  /** Reuse compressed sections across builds (default true). */
  sectionCache?: boolean;
  /** The operator's OSCOMPOSE_REGISTRY_AUTH_<HOST> credentials (the worker config's); default none. */
  registryAuth?: Record<string, string>;
}

export function createBuildEngine(opts: BuildEngineOptions): BuildEngine {
  return {
    version: ENGINE_VERSION,
    // Only what this host's tools can write (an ISO needs xorriso, qcow2 qemu-img, …).
    formats: () => availableFormats(listFormats().map((n) => getFormat(n)!)).map((f) => f.name),

    async resolve(specText, { signal, onEvent, registries }) {
      const parsed = parseServerSpec(specText);
      const provider = await defaultImageProvider({
        cacheDir: opts.cacheDir,
        imageStores: opts.imageStores,
        pull: false,
        arch: opts.arch ?? 'amd64',
        insecureRegistries: opts.insecureRegistries ?? [],
        signal,
        // No ~/.docker/config.json: the worker host's own logins are not for its users' specs.
        registry: { policy: registries, dockerConfig: false, env: opts.registryAuth ?? {} },
        limits: opts.limits,
      });
      const resolved = await resolveImages(parsed, provider, { signal, onEvent });
      const spec = pinSpec(parsed, resolved);
      // What is stored and built is the pinned spec; its images are the ones just resolved.
      return { text: stringify(spec, { lineWidth: 0 }), spec, images: pinnedImages(resolved), provider };
    },

    async build({ resolved, formats, outDir, workDir, name, signal, onEvent }) {
      checkHostTools(formats);
      // Sources 'none': any `files: source:` is refused before a host file is read, whatever
      // spec reaches this point (server-mode parsing refused them already).
      const sources = await readSources(resolved.spec, { baseDir: opts.cacheDir, sources: 'none' });
      const p = plan(resolved.spec, resolved.images, { formats, name, sources, sourceDateEpoch: opts.sourceDateEpoch ?? 0 });
      const result = await execute(p, { images: resolved.provider, outDir, workDir, cacheDir: opts.cacheDir, sectionCache: opts.sectionCache ?? true, signal, onEvent });
      const cmdlineFile = result.artifacts.find((a) => a.format === 'kernel+initrd' && a.name.endsWith('-cmdline'))?.path;
      const cmdline = cmdlineFile ? (await readFile(cmdlineFile, 'utf8')).trim() : '';
      const { boot, notBootChecked } = bootTargets(formats, result.artifacts, { bootOf: (f) => getFormat(f)?.boot, qemuDiskFormat, cmdline });
      // The SBOM the engine wrote into the image is published beside the artifacts too (same
      // bytes), so it is listed, served and covered by the provenance without unpacking anything.
      const artifacts = [...result.artifacts];
      if (result.sbom) {
        const file = path.join(outDir, sbomFileName(name));
        await writeFile(file, result.sbom.bytes);
        artifacts.push({ format: SBOM_FORMAT, name: sbomFileName(name), path: file, size: result.sbom.bytes.length, sha256: createHash('sha256').update(result.sbom.bytes).digest('hex') });
      }
      // What the initramfs is made of (bytes per section → directory, counted while it was
      // written), published the same way: served by GET /api/v1/builds/:id/contents.
      const contents = Buffer.from(JSON.stringify(result.contents));
      const contentsFile = path.join(outDir, contentsFileName(name));
      await writeFile(contentsFile, contents);
      artifacts.push({ format: CONTENTS_FORMAT, name: contentsFileName(name), path: contentsFile, size: contents.length, sha256: createHash('sha256').update(contents).digest('hex') });
      return { artifacts, boot, notBootChecked };
    },
  };
}
