// Importing image archive tarballs into the blob cache: OCI archives (a tarred OCI image layout)
// and docker archives (`docker save`: manifest.json + config + layer.tar files). Blobs are
// streamed into the cache while hashing; nothing is unpacked to disk under its archive name.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { BlobCache } from '../cache/blob-cache';
import { ArchiveError } from '../oci/errors';
import { normaliseReference } from '../oci/reference';
import { readTar } from '../oci/tar';
import { MediaType, REF_NAME_ANNOTATION, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/types';

export interface ImportedImage {
  /** Full normalised reference the archive names the image by. */
  reference: string;
  /** The manifest (or index) descriptor; its blobs are in the cache. */
  descriptor: Descriptor;
}

export interface ImportArchiveOptions {
  /** Name for an image the archive does not name (or names only by tag). */
  ref?: string;
  /** Also name the imported images in the cache's index.json. */
  tag?: boolean;
  /** Largest archive member accepted. Default 8 GiB. */
  maxBlobBytes?: number;
}

const SMALL = 4 << 20;

/** Reads an OCI or docker archive (optionally gzip'd) and stores its blobs in the cache. */
export async function importArchive(archivePath: string, cache: BlobCache, opts: ImportArchiveOptions = {}): Promise<ImportedImage[]> {
  const fh = await open(archivePath, 'r');
  const magic = Buffer.alloc(2);
  await fh.read(magic, 0, 2, 0);
  await fh.close();
  const raw = createReadStream(archivePath, { highWaterMark: 1 << 20 });
  const source: AsyncIterable<Buffer> = magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw;

  const files = new Map<string, { digest: string; size: number; head: Buffer; small?: Buffer }>();
  for await (const m of readTar(source, { layerDigest: archivePath })) {
    if (m.type !== 'file') continue;
    const name = m.name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
    if (m.size <= SMALL) {
      const chunks: Buffer[] = [];
      for await (const c of m.content) chunks.push(c);
      const small = Buffer.concat(chunks);
      const stored = await cache.putUnknown(small);
      files.set(name, { ...stored, small });
    } else {
      const stored = await cache.putUnknown(m.content, { maxBytes: opts.maxBlobBytes ?? 8 * 2 ** 30 });
      files.set(name, stored);
    }
  }
  for (const [name, f] of files) {
    const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    if (m && f.digest !== `sha256:${m[1]}`) throw new ArchiveError(`${name} has digest ${f.digest}; the archive is corrupt`, { layerDigest: archivePath, entry: name });
  }
  const json = <T>(name: string): T | undefined => {
    const s = files.get(name)?.small;
    if (!s) return undefined;
    try {
      return JSON.parse(s.toString()) as T;
    } catch {
      throw new ArchiveError(`${name} is not valid JSON`, { layerDigest: archivePath, entry: name });
    }
  };

  const out: ImportedImage[] = [];
  const nameFor = (names: (string | undefined)[]): string | undefined => {
    for (const n of names) {
      if (!n) continue;
      if (!n.includes('/') && !n.includes(':') && !n.includes('@')) continue; // a bare tag
      try {
        return normaliseReference(n).name;
      } catch {
        /* next */
      }
    }
    return opts.ref ? normaliseReference(opts.ref).name : undefined;
  };

  const index = json<ImageIndex>('index.json');
  const dockerManifest = json<{ Config: string; RepoTags?: string[] | null; Layers: string[] }[]>('manifest.json');
  if (index && files.has('oci-layout')) {
    for (const d of index.manifests ?? []) {
      const reference = nameFor([d.annotations?.['io.containerd.image.name'], d.annotations?.[REF_NAME_ANNOTATION]]);
      if (!reference) continue;
      if (!(await cache.has(d.digest))) throw new ArchiveError(`index.json names ${d.digest}, which is not in the archive`, { layerDigest: archivePath });
      out.push({ reference, descriptor: { mediaType: d.mediaType, digest: d.digest, size: d.size, ...(d.platform ? { platform: d.platform } : {}) } });
    }
  } else if (Array.isArray(dockerManifest)) {
    for (const entry of dockerManifest) {
      const config = files.get(entry.Config);
      if (!config) throw new ArchiveError(`manifest.json names config ${entry.Config}, which is not in the archive`, { layerDigest: archivePath });
      const layers: Descriptor[] = entry.Layers.map((p) => {
        const f = files.get(p);
        if (!f) throw new ArchiveError(`manifest.json names layer ${p}, which is not in the archive`, { layerDigest: archivePath });
        const mediaType =
          f.head[0] === 0x1f && f.head[1] === 0x8b ? MediaType.ociLayerGzip : f.head.readUInt32LE(0) === 0xfd2fb528 ? MediaType.ociLayerZstd : MediaType.ociLayer;
        return { mediaType, digest: f.digest, size: f.size };
      });
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: MediaType.ociConfig, digest: config.digest, size: config.size },
        layers,
      };
      const bytes = Buffer.from(JSON.stringify(manifest));
      const stored = await cache.putUnknown(bytes);
      const tags = entry.RepoTags?.length ? entry.RepoTags : [undefined];
      for (const t of tags) {
        const reference = nameFor([t]);
        if (reference) out.push({ reference, descriptor: { mediaType: MediaType.ociManifest, digest: stored.digest, size: bytes.length } });
      }
    }
  } else {
    throw new ArchiveError('not an OCI archive (oci-layout + index.json) nor a docker archive (manifest.json)', { layerDigest: archivePath });
  }
  if (out.length === 0) throw new ArchiveError('the archive names no image; pass the reference to use for it', { layerDigest: archivePath });
  if (opts.tag) for (const i of out) await cache.tag(i.reference, i.descriptor);
  return out;
}
