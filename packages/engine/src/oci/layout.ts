// OCI image layout directories (oci-layout, index.json, blobs/sha256/…): write images into one
// deterministically, find an image in one by its full normalised reference, read verified blobs.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ArchiveError } from './errors';
import { normaliseReference } from './reference';
import {
  MediaType,
  REF_NAME_ANNOTATION,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type ImageRuntimeConfig,
} from './types';

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Validates a digest string before it is used to build a path (it comes from strangers). */
export function digestHex(digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m) throw new ArchiveError(`unsupported or malformed digest "${digest}" (only sha256 is supported)`);
  return m[1]!;
}

export function blobPath(layoutDir: string, digest: string): string {
  return join(layoutDir, 'blobs', 'sha256', digestHex(digest));
}

/** Creates the layout skeleton if missing (idempotent). */
export async function initLayout(layoutDir: string): Promise<void> {
  await mkdir(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  const marker = join(layoutDir, 'oci-layout');
  if (!(await exists(marker))) await atomicWrite(marker, Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
}

/** Stores a blob (content-addressed, atomic; a blob already present is left alone). */
export async function writeBlob(layoutDir: string, data: Buffer, mediaType: string): Promise<Descriptor> {
  const digest = sha256Digest(data);
  const path = blobPath(layoutDir, digest);
  if (!(await exists(path))) {
    await mkdir(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
    await atomicWrite(path, data);
  }
  return { mediaType, digest, size: data.length };
}

/** Reads a blob and checks its sha256; a mismatch means the store is corrupt. */
export async function readBlob(layoutDir: string, digest: string): Promise<Buffer> {
  const path = blobPath(layoutDir, digest);
  const data = await readFile(path);
  if (sha256Digest(data) !== digest) {
    throw new ArchiveError(`blob content does not match its digest in ${layoutDir}; delete ${path} and write the image again`, {
      layerDigest: digest,
    });
  }
  return data;
}

/** A read stream of a blob (callers verify the digest while streaming). */
export function openBlob(layoutDir: string, digest: string): AsyncIterable<Buffer> {
  return createReadStream(blobPath(layoutDir, digest), { highWaterMark: 1 << 20 });
}

export async function hasBlob(layoutDir: string, digest: string): Promise<boolean> {
  return exists(blobPath(layoutDir, digest));
}

export async function readIndex(layoutDir: string): Promise<ImageIndex> {
  let text: string;
  try {
    text = await readFile(join(layoutDir, 'index.json'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] };
    throw e;
  }
  const index = JSON.parse(text) as ImageIndex;
  if (!Array.isArray(index.manifests)) throw new ArchiveError(`${join(layoutDir, 'index.json')} has no manifests array; it is not an OCI image layout`);
  return index;
}

/**
 * Finds the image whose ref.name annotation names `ref` (both sides normalised, so
 * `alpine` matches `docker.io/library/alpine:latest`). Returns the manifest or index descriptor.
 */
export async function findInLayout(layoutDir: string, ref: string): Promise<Descriptor | undefined> {
  const want = normaliseReference(ref);
  const index = await readIndex(layoutDir);
  let match: Descriptor | undefined;
  for (const d of index.manifests) {
    const ann = d.annotations?.[REF_NAME_ANNOTATION];
    if (!ann) continue;
    let have;
    try {
      have = normaliseReference(ann);
    } catch {
      continue; // a bare tag ("latest") or other name we cannot compare
    }
    if (have.registry !== want.registry || have.repository !== want.repository) continue;
    if (want.digest) {
      if (d.digest === want.digest || have.digest === want.digest) return d;
      continue;
    }
    if (have.tag === want.tag) match = d; // the last one wins, as in index.json order of writing
  }
  return match;
}

/** Adds (or replaces, by ref.name) a manifest descriptor in index.json, under a directory lock. */
export async function addToIndex(layoutDir: string, desc: Descriptor, ref: string): Promise<void> {
  const name = normaliseReference(ref).name;
  await updateIndex(layoutDir, (index) => {
    const entry: Descriptor = {
      mediaType: desc.mediaType,
      digest: desc.digest,
      size: desc.size,
      annotations: { ...desc.annotations, [REF_NAME_ANNOTATION]: name },
      ...(desc.platform ? { platform: desc.platform } : {}),
    };
    return [...index.manifests.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] !== name), entry];
  });
}

/**
 * Read-modify-write of index.json under a cross-process lock; entries are kept sorted by
 * ref.name so the file does not depend on the order writers came in.
 */
export async function updateIndex(layoutDir: string, fn: (index: ImageIndex) => Descriptor[] | Promise<Descriptor[]>): Promise<void> {
  await initLayout(layoutDir);
  await withLock(join(layoutDir, '.index.lock'), async () => {
    const index = await readIndex(layoutDir);
    const manifests = [...(await fn(index))];
    manifests.sort((a, b) => cmp(a.annotations?.[REF_NAME_ANNOTATION] ?? '', b.annotations?.[REF_NAME_ANNOTATION] ?? '') || cmp(a.digest, b.digest));
    const out: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
    await atomicWrite(join(layoutDir, 'index.json'), Buffer.from(JSON.stringify(out, null, 2) + '\n'));
  });
}

export interface WriteImageOptions {
  /** Image reference; stored normalised in the ref.name annotation. */
  ref: string;
  /** The runtime config (Env, Cmd, Entrypoint, WorkingDir, Labels, …). */
  config?: ImageRuntimeConfig;
  /** Merged into config.Labels (e.g. org.mobyproject.config). */
  labels?: Record<string, string>;
  /** Uncompressed tar layers, bottom first. */
  layers: Buffer[];
  architecture?: string;
  os?: string;
  /** RFC 3339 creation time recorded in the config; omitted when not given (reproducibility). */
  created?: string;
  /** Manifest annotations. */
  annotations?: Record<string, string>;
  /** Layer compression; gzip by default. */
  compression?: 'gzip' | 'none';
}

export interface WrittenImage {
  /** Full normalised reference. */
  reference: string;
  /** Manifest digest. */
  digest: string;
  manifest: ImageManifest;
  manifestDescriptor: Descriptor;
  config: ImageConfig;
}

/** Builds the manifest, config and compressed layer blobs for an image (pure; no I/O). */
export function buildImage(opts: WriteImageOptions): {
  manifest: ImageManifest;
  manifestBytes: Buffer;
  config: ImageConfig;
  configBytes: Buffer;
  layerBlobs: { data: Buffer; descriptor: Descriptor }[];
} {
  const gzip = (opts.compression ?? 'gzip') === 'gzip';
  const layerBlobs = opts.layers.map((tar) => {
    // Node's gzip header has mtime 0 and a fixed OS byte, so the same tar gives the same blob.
    const data = gzip ? gzipSync(tar, { level: 6 }) : tar;
    return { data, descriptor: { mediaType: gzip ? MediaType.ociLayerGzip : MediaType.ociLayer, digest: sha256Digest(data), size: data.length } };
  });
  const runtime: ImageRuntimeConfig = { ...opts.config };
  const labels = { ...runtime.Labels, ...opts.labels };
  if (Object.keys(labels).length) runtime.Labels = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => cmp(a, b)));
  const config: ImageConfig = {
    ...(opts.created ? { created: opts.created } : {}),
    architecture: opts.architecture ?? 'amd64',
    os: opts.os ?? 'linux',
    config: runtime,
    rootfs: { type: 'layers', diff_ids: opts.layers.map((l) => sha256Digest(l)) },
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length },
    layers: layerBlobs.map((l) => l.descriptor),
    ...(opts.annotations && Object.keys(opts.annotations).length ? { annotations: opts.annotations } : {}),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return { manifest, manifestBytes, config, configBytes, layerBlobs };
}

/**
 * Writes an image into an OCI layout and names it in index.json. Deterministic: the same
 * options give the same manifest digest.
 */
export async function writeImage(layoutDir: string, opts: WriteImageOptions): Promise<WrittenImage> {
  const reference = normaliseReference(opts.ref).name;
  const built = buildImage(opts);
  await initLayout(layoutDir);
  for (const l of built.layerBlobs) await writeBlob(layoutDir, l.data, l.descriptor.mediaType);
  await writeBlob(layoutDir, built.configBytes, MediaType.ociConfig);
  const manifestDescriptor = await writeBlob(layoutDir, built.manifestBytes, MediaType.ociManifest);
  await addToIndex(layoutDir, manifestDescriptor, reference);
  return { reference, digest: manifestDescriptor.digest, manifest: built.manifest, manifestDescriptor, config: built.config };
}

// ---------------------------------------------------------------------------------------------

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** tmp file + rename: readers never see half a file, concurrent writers never interleave. */
export async function atomicWrite(path: string, data: Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** A cross-process lock held as a directory (mkdir is atomic); a lock older than a minute is stale. */
export async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      await mkdir(lockDir);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        const s = await stat(lockDir);
        if (Date.now() - s.mtimeMs > 60_000) await rmdir(lockDir).catch(() => {});
      } catch {
        /* gone already */
      }
      if (i > 3000) throw new Error(`could not lock ${lockDir} for 60 s; if no other oscompose process is running, remove it`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  try {
    return await fn();
  } finally {
    await rmdir(lockDir).catch(() => {});
  }
}
