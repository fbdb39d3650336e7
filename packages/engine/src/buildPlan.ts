// plan(): spec + resolved images (+ the host files it names) → everything a build will do, as
// data: the sections in order, each with its final cache key, the files section's entries, the
// initramfs settings and the output formats. Pure: no disk, no network, no clock, no environment
// (callers pass SOURCE_DATE_EPOCH and the like in). execute.ts does what the plan says;
// explain.ts looks its keys up in the section cache.
import { createHash } from 'node:crypto';
import type { Spec } from '@oscompose/spec';
import type { FsEntry } from './oci/entry';
import { filesEntries } from './layout/files';
import { specMetadata } from './layout/metadata';
import { planSections, type SectionPlan } from './layout/plan';
import { ARCHIVE_LAYOUT, DEFAULT_GZIP_LEVEL, type Compression, type HardlinkPolicy } from './initramfs/index';
import { getFormat, listFormats } from './outputs/index';
import type { OutputFormat } from './outputs/types';
import { BuildError } from './errors';
import { pinSpec, type ResolvedImages } from './inputs';
import { SBOM_FILENAME } from './sbom/spdx';

/** The SBOM's path in the root filesystem: relative, no `..` (it is written like any file). */
function sbomPath(p: string): string {
  const clean = p.split('/').filter((x) => x && x !== '.');
  if (!clean.length || clean.includes('..')) throw new BuildError(`--sbom-output "${p}" must be a file path inside the image (no ..)`);
  return clean.join('/');
}

export interface PlanOptions {
  /** Output formats (default kernel+initrd). */
  formats?: string[];
  /** Artifact base name (default "linuxkit"). */
  name?: string;
  compression?: Compression;
  /** gzip 1–9 (default 5) or zstd 1–19 (default 3). Part of each section's cache key. */
  compressionLevel?: number;
  /** LinuxKit turns hard links into relative symlinks in the initrd; `keep` writes real ones. */
  hardlinks?: HardlinkPolicy;
  /** Seconds since the epoch for every timestamp (default 0). */
  sourceDateEpoch?: number;
  /** Contents of the `files: source:` the spec names (inputs.ts readSources); absent = unreadable. */
  sources?: ReadonlyMap<string, Buffer | undefined>;
  /**
   * Where the merged SPDX SBOM goes in the root filesystem (LinuxKit's `--sbom-output`, default
   * sbom.spdx.json); false writes none (`--no-sbom`).
   */
  sbom?: string | false;
}

/** One section as planned: layout/plan.ts's section plus the key its archive is cached under. */
export type PlannedBuildSection = SectionPlan & {
  /** The section archive's key in the section cache: inputs, hard-link policy, level, layout. */
  cacheKey: string;
};

export interface BuildPlan {
  /** The spec as given (its `metadata:` files are written from it). */
  spec: Spec;
  /** The spec with every image reference pinned (`ref@sha256:…`). */
  resolved: Spec;
  name: string;
  formats: string[];
  /** The output formats, in order, with the artifact names each will write. */
  outputs: { format: string; artifacts: string[]; boot?: OutputFormat['boot'] }[];
  sections: PlannedBuildSection[];
  /** The files section's entries (empty without one). */
  files: FsEntry[];
  idMap: ReadonlyMap<string, number>;
  cmdline: string;
  compression: Compression;
  /** The compression level every section is written with (undefined: the compressor's default). */
  compressionLevel?: number;
  hardlinks: HardlinkPolicy;
  sourceDateEpoch: number;
  /** File extension of section archives in the cache (cpio.gz, cpio.zst, cpio). */
  archiveExt: string;
  /** Path of the SBOM in the root filesystem; undefined: no SBOM. */
  sbom?: string;
}

/** Checks the format names against the registry of output formats (pure: an in-memory table). */
export function checkFormats(formats: string[]): OutputFormat[] {
  return formats.map((f) => {
    const fmt = getFormat(f);
    if (!fmt) throw new BuildError(`unknown format "${f}"; known formats: ${listFormats().join(', ')}`);
    return fmt;
  });
}

export function plan(spec: Spec, resolved: ResolvedImages, options: PlanOptions = {}): BuildPlan {
  const formats = options.formats?.length ? options.formats : ['kernel+initrd'];
  const name = options.name ?? 'linuxkit';
  const outputs = checkFormats(formats).map((f) => ({ format: f.name, artifacts: f.artifacts(name), boot: f.boot }));
  const compression = options.compression ?? 'gzip';
  const hardlinks = options.hardlinks ?? 'symlink';
  const level = options.compressionLevel ?? (compression === 'zstd' ? 3 : DEFAULT_GZIP_LEVEL);
  const layout = planSections(spec, resolved.images);

  // The files section's key covers what it writes: the entries themselves, source contents and
  // the spec metadata included, so a changed host file is a changed section.
  let files: FsEntry[] = [];
  const sections: PlannedBuildSection[] = layout.sections.map((s) => {
    let section: SectionPlan = s;
    if (s.kind === 'files') {
      files = filesEntries({
        files: s.files,
        idMap: layout.idMap,
        readSource: (src) => options.sources?.get(src),
        metadata: (fmt) => specMetadata(spec, fmt),
      });
      const h = createHash('sha256').update(s.key);
      for (const e of files) h.update(JSON.stringify({ ...e, content: undefined })).update((e.content as Buffer | undefined) ?? '');
      section = { ...s, key: h.digest('hex') };
    }
    return { ...section, cacheKey: `${section.key}-${hardlinks}-l${level}-${ARCHIVE_LAYOUT}` };
  });

  return {
    spec,
    resolved: pinSpec(spec, resolved),
    name,
    formats,
    outputs,
    sections,
    files,
    idMap: layout.idMap,
    cmdline: layout.cmdline,
    compression,
    compressionLevel: options.compressionLevel,
    hardlinks,
    sourceDateEpoch: options.sourceDateEpoch ?? 0,
    archiveExt: compression === 'zstd' ? 'cpio.zst' : compression === 'gzip' ? 'cpio.gz' : 'cpio',
    ...(options.sbom === false ? {} : { sbom: sbomPath(options.sbom ?? SBOM_FILENAME) }),
  };
}
