// Test fixtures: small OCI images built in memory from a map of paths, pushed to a test registry
// or written to an OCI layout / archive tarball.

import { MediaType, type Descriptor, type ImageConfig, type ImageManifest, type ImageRuntimeConfig } from '../oci/types';
import type { FsEntry, FsEntryType } from '../oci/entry';
import { buildImage, sha256Digest } from '../oci/layout';
import { sortEntries, tarBuffer } from '../oci/tar';

export type FileSpec =
  | string
  | Buffer
  | { type?: FsEntryType; content?: string | Buffer; mode?: number; uid?: number; gid?: number; linkname?: string; devmajor?: number; devminor?: number };

/** path → content or entry; parent directories are added (0755 root) unless listed. */
export type FilesSpec = Record<string, FileSpec>;

export interface MakeImageOptions {
  /** A single layer's files (shorthand for layers: [files]). */
  files?: FilesSpec;
  /** Layers bottom first: a files map, or a raw uncompressed tar (for hostile layers). */
  layers?: (FilesSpec | Buffer)[];
  config?: ImageRuntimeConfig;
  labels?: Record<string, string>;
  architecture?: string;
  os?: string;
}

export interface MemoryImage {
  digest: string;
  manifest: ImageManifest;
  manifestBytes: Buffer;
  config: ImageConfig;
  configBytes: Buffer;
  /** Uncompressed layer tars, bottom first. */
  layerTars: Buffer[];
  /** Every blob (config and compressed layers) by digest. */
  blobs: Map<string, Buffer>;
}

export interface MemoryIndex {
  digest: string;
  mediaType: string;
  indexBytes: Buffer;
  manifests: MemoryImage[];
}

export function filesToEntries(files: FilesSpec): FsEntry[] {
  const entries = new Map<string, FsEntry>();
  for (const [rawPath, spec] of Object.entries(files)) {
    const path = rawPath.replace(/^\/+|\/+$/g, '');
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!entries.has(dir) && !(dir in files) && !(`/${dir}` in files)) entries.set(dir, { path: dir, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 });
    }
    const s = typeof spec === 'string' || Buffer.isBuffer(spec) ? { content: spec } : spec;
    const type: FsEntryType = s.type ?? (s.linkname !== undefined ? 'symlink' : 'file');
    const content = type === 'file' ? Buffer.from(s.content ?? '') : undefined;
    entries.set(path, {
      path,
      type,
      mode: s.mode ?? (type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
      uid: s.uid ?? 0,
      gid: s.gid ?? 0,
      size: content?.length ?? 0,
      ...(s.linkname !== undefined ? { linkname: s.linkname } : {}),
      ...(s.devmajor !== undefined ? { devmajor: s.devmajor, devminor: s.devminor ?? 0 } : {}),
      ...(content ? { content } : {}),
    });
  }
  return sortEntries([...entries.values()]);
}

/** Builds a small image in memory (deterministic: same options, same digest). */
export async function makeImage(opts: MakeImageOptions): Promise<MemoryImage> {
  const layerSpecs = opts.layers ?? [opts.files ?? {}];
  const layerTars: Buffer[] = [];
  for (const l of layerSpecs) layerTars.push(Buffer.isBuffer(l) ? l : await tarBuffer(filesToEntries(l)));
  const built = buildImage({ ref: 'localhost/fixture', config: opts.config, labels: opts.labels, layers: layerTars, architecture: opts.architecture, os: opts.os });
  const blobs = new Map<string, Buffer>();
  blobs.set(built.manifest.config.digest, built.configBytes);
  for (const l of built.layerBlobs) blobs.set(l.descriptor.digest, l.data);
  return {
    digest: sha256Digest(built.manifestBytes),
    manifest: built.manifest,
    manifestBytes: built.manifestBytes,
    config: built.config,
    configBytes: built.configBytes,
    layerTars,
    blobs,
  };
}

/** An image index over images, each with its config's platform. */
export function makeIndex(images: MemoryImage[]): MemoryIndex {
  const manifests: Descriptor[] = images.map((m) => ({
    mediaType: m.manifest.mediaType!,
    digest: m.digest,
    size: m.manifestBytes.length,
    platform: { architecture: m.config.architecture, os: m.config.os },
  }));
  const indexBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }));
  return { digest: sha256Digest(indexBytes), mediaType: MediaType.ociIndex, indexBytes, manifests: images };
}

/** A small SPDX 2.3 document describing `packages` (what an image's attestation would carry). */
export function spdxFixture(name: string, packages: { name: string; version: string; supplier?: string }[]): Record<string, unknown> {
  const id = (n: string) => `SPDXRef-Package-${n.replace(/[^A-Za-z0-9.-]/g, '-')}`;
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `https://example.invalid/${name}`,
    creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Tool: syft-1.0'] },
    packages: packages.map((p) => ({ SPDXID: id(p.name), name: p.name, versionInfo: p.version, ...(p.supplier ? { supplier: p.supplier } : {}), downloadLocation: 'NOASSERTION' })),
    relationships: packages.map((p) => ({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: id(p.name) })),
  };
}

/**
 * An image index as BuildKit pushes `docker buildx build --sbom=true`: the image for its platform
 * and, next to it, an attestation manifest (platform unknown/unknown, annotated with the image's
 * digest) whose one layer is an in-toto Statement carrying `spdx` as an SPDX predicate.
 */
export function makeAttestedIndex(image: MemoryImage, spdx: Record<string, unknown>): MemoryIndex {
  const statement = Buffer.from(JSON.stringify({
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://spdx.dev/Document',
    subject: [{ name: 'pkg:docker/fixture', digest: { sha256: image.digest.slice(7) } }],
    predicate: spdx,
  }));
  const configBytes = Buffer.from('{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}');
  const config = JSON.parse(configBytes.toString()) as ImageConfig;
  const layer: Descriptor = { mediaType: 'application/vnd.in-toto+json', digest: sha256Digest(statement), size: statement.length, annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } };
  const manifest = { schemaVersion: 2 as const, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length }, layers: [layer] };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const attestation: MemoryImage = {
    digest: sha256Digest(manifestBytes), manifest, manifestBytes, config, configBytes, layerTars: [],
    blobs: new Map([[manifest.config.digest, configBytes], [layer.digest, statement]]),
  };
  const manifests: Descriptor[] = [
    { mediaType: image.manifest.mediaType!, digest: image.digest, size: image.manifestBytes.length, platform: { architecture: image.config.architecture, os: image.config.os } },
    {
      mediaType: MediaType.ociManifest, digest: attestation.digest, size: manifestBytes.length, platform: { architecture: 'unknown', os: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': image.digest },
    },
  ];
  const indexBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }));
  return { digest: sha256Digest(indexBytes), mediaType: MediaType.ociIndex, indexBytes, manifests: [image, attestation] };
}

/** An in-memory image as a flatten source (no registry, no cache). */
export function memorySource(img: MemoryImage): { layers: Descriptor[]; config: ImageConfig; openBlob(digest: string): Promise<AsyncIterable<Buffer>> } {
  return {
    layers: img.manifest.layers,
    config: img.config,
    async openBlob(digest: string) {
      const b = img.blobs.get(digest);
      if (!b) throw new Error(`no blob ${digest}`);
      return (async function* () {
        for (let i = 0; i < b.length; i += 65536) yield b.subarray(i, i + 65536);
      })();
    },
  };
}

/**
 * The members of an OCI archive (a tarred image layout) holding `img`, by path; `name` is the
 * ref.name annotation, if any. Tar them with filesToEntries + tarBuffer (add members to attack).
 */
export function ociArchiveFiles(img: MemoryImage, name?: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {
    'oci-layout': Buffer.from('{"imageLayoutVersion":"1.0.0"}'),
    'index.json': Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: img.manifest.mediaType, digest: img.digest, size: img.manifestBytes.length, ...(name ? { annotations: { 'org.opencontainers.image.ref.name': name } } : {}) }],
      }),
    ),
    [`blobs/sha256/${img.digest.slice(7)}`]: img.manifestBytes,
  };
  for (const [d, b] of img.blobs) files[`blobs/sha256/${d.slice(7)}`] = b;
  return files;
}
