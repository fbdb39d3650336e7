// Importing image archive tarballs into the blob cache: OCI archives (a tarred OCI image layout)
// and docker archives (`docker save`: manifest.json + config + layer.tar files). Blobs are
// streamed into the cache while hashing; nothing is unpacked to disk under its archive name:
// members are only keys, and a link is only another key for its target. Still, an archive with a
// `..` or absolute name, a link out of the archive, or a member under a symlink is not something
// any image tool writes: it is refused. What an archive may make us read is bounded: its
// decompressed bytes, its member count, and each member's size (refused from the header).

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { BlobCache } from '../cache/blob-cache';
import { ArchiveError } from '../oci/errors';
import { normaliseReference } from '../oci/reference';
import { readTar } from '../oci/tar';
import { LimitError, ancestors, normaliseEntryName, parentOf } from './safety';
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
  /** Most bytes read from the (decompressed) archive: a gzip bomb stops here. Default 64 GiB. */
  maxBytes?: number;
  /** Most members in the archive. Default 100,000. */
  maxMembers?: number;
  /** How messages name the archive (default its path; a server does not show its temp paths). */
  name?: string;
}

/** Counts the bytes of the decompressed archive as they are read. */
async function* bounded(source: AsyncIterable<Buffer>, max: number, archive: string, close: () => void): AsyncGenerator<Buffer> {
  let n = 0;
  const it = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      let r: IteratorResult<Buffer>;
      try {
        r = await it.next();
      } catch (e) {
        throw new ArchiveError(`cannot read the archive (${(e as Error).message}); it is not a tar file, or a gzip'd one, or it is truncated`, { layerDigest: archive });
      }
      if (r.done) return;
      n += r.value.length;
      if (n > max) throw new LimitError('archive-bytes', max, `${archive}: the archive decompresses to more than ${max} bytes (a gzip bomb, or an archive too large for this server)`);
      yield r.value;
    }
  } finally {
    close(); // the file stays open otherwise when the reader stops early
  }
}

const SMALL = 4 << 20;

/** Reads an OCI or docker archive (optionally gzip'd) and stores its blobs in the cache. */
export async function importArchive(archivePath: string, cache: BlobCache, opts: ImportArchiveOptions = {}): Promise<ImportedImage[]> {
  const fh = await open(archivePath, 'r');
  const magic = Buffer.alloc(2);
  await fh.read(magic, 0, 2, 0);
  await fh.close();
  const raw = createReadStream(archivePath, { highWaterMark: 1 << 20 });
  const maxBlob = opts.maxBlobBytes ?? 8 * 2 ** 30;
  const maxMembers = opts.maxMembers ?? 100_000;
  const decompressed: AsyncIterable<Buffer> = magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  const label = opts.name ?? archivePath;
  const source = bounded(decompressed, opts.maxBytes ?? 64 * 2 ** 30, label, () => raw.destroy());

  const files = new Map<string, { digest: string; size: number; head: Buffer; small?: Buffer }>();
  /** Link name → the member it stands for (docker save links identical layer.tar files). */
  const links = new Map<string, string>();
  let members = 0;
  for await (const m of readTar(source, { layerDigest: label })) {
    if (++members > maxMembers) throw new LimitError('archive-entries', maxMembers, `${label}: the archive has more than ${maxMembers} members`);
    const name = memberName(m.name, label);
    if (name === null) continue;
    for (const a of ancestors(name)) {
      if (links.has(a)) throw new ArchiveError(`"${name}" is inside "${a}", which is a link; the archive is refused`, { layerDigest: label, entry: m.name });
    }
    if (m.type === 'symlink' || m.type === 'hardlink') {
      // Hard link targets are relative to the archive root, symlink targets to the link's directory.
      if (m.type === 'symlink' && m.linkname.startsWith('/')) throw new ArchiveError(`symlink "${name}" points to the absolute path "${m.linkname}"; the archive is refused`, { layerDigest: label, entry: m.name });
      const dir = parentOf(name);
      const target = m.type === 'hardlink' || !dir ? m.linkname : `${dir}/${m.linkname}`;
      links.set(name, linkTarget(target, label, `link "${name}" points outside the archive ("${m.linkname}"); the archive is refused`));
      continue;
    }
    if (m.type !== 'file') continue;
    // The header declares the size: refuse before reading a byte of it.
    if (m.size > maxBlob) throw new LimitError('archive-bytes', maxBlob, `${label}: member "${m.name.slice(0, 200)}" declares ${m.size} bytes, more than the ${maxBlob}-byte limit per blob`);
    if (m.size <= SMALL) {
      const chunks: Buffer[] = [];
      for await (const c of m.content) chunks.push(c);
      const small = Buffer.concat(chunks);
      const stored = await cache.putUnknown(small);
      files.set(name, { ...stored, small });
    } else {
      const stored = await cache.putUnknown(m.content, { maxBytes: maxBlob });
      files.set(name, stored);
    }
  }
  for (const [name, target] of links) {
    const f = files.get(target);
    if (f && !files.has(name)) files.set(name, f);
  }
  for (const [name, f] of files) {
    const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    if (m && f.digest !== `sha256:${m[1]}`) throw new ArchiveError(`${name} has digest ${f.digest}; the archive is corrupt`, { layerDigest: label, entry: name });
  }
  const json = <T>(name: string): T | undefined => {
    const s = files.get(name)?.small;
    if (!s) return undefined;
    try {
      return JSON.parse(s.toString()) as T;
    } catch {
      throw new ArchiveError(`${name} is not valid JSON`, { layerDigest: label, entry: name });
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
      if (!(await cache.has(d.digest))) throw new ArchiveError(`index.json names ${d.digest}, which is not in the archive`, { layerDigest: label });
      out.push({ reference, descriptor: { mediaType: d.mediaType, digest: d.digest, size: d.size, ...(d.platform ? { platform: d.platform } : {}) } });
    }
  } else if (Array.isArray(dockerManifest)) {
    for (const entry of dockerManifest) {
      const config = files.get(entry.Config);
      if (!config) throw new ArchiveError(`manifest.json names config ${entry.Config}, which is not in the archive`, { layerDigest: label });
      const layers: Descriptor[] = entry.Layers.map((p) => {
        const f = files.get(p);
        if (!f) throw new ArchiveError(`manifest.json names layer ${p}, which is not in the archive`, { layerDigest: label });
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
    throw new ArchiveError('not an OCI archive (oci-layout + index.json) nor a docker archive (manifest.json)', { layerDigest: label });
  }
  if (out.length === 0) throw new ArchiveError('the archive names no image; pass the reference to use for it', { layerDigest: label });
  if (opts.tag) for (const i of out) await cache.tag(i.reference, i.descriptor);
  return out;
}

/** A member's name relative to the archive root; absolute names, `..` and NUL are refused. */
function memberName(raw: string, label: string): string | null {
  if (raw.startsWith('/')) throw new ArchiveError(`member name "${raw.slice(0, 200)}" is absolute; the archive is refused`, { layerDigest: label });
  return normaliseEntryName(raw, { layerDigest: label });
}

/** A link's target as a member name; `..` may climb inside the archive (docker save does), never out. */
function linkTarget(path: string, label: string, outside: string): string {
  if (path.includes('\u0000')) throw new ArchiveError(outside, { layerDigest: label });
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!parts.length) throw new ArchiveError(outside, { layerDigest: label });
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}
