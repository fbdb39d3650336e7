// Resolving an image reference to one image (manifest + config + layer descriptors), the way
// `linuxkit build` uses its cache: image stores first (OCI layouts, archives), then the blob
// cache, then the registry; `pull` goes to the registry. Layer blobs are fetched on demand.

import { stat } from 'node:fs/promises';
import { BlobCache, defaultCacheDir, DigestMismatchError, BlobTooLargeError } from '../cache/blob-cache';
import { ArchiveError } from '../oci/errors';
import { findInLayout, hasBlob, openBlob, readBlob } from '../oci/layout';
import { describePlatforms, selectPlatform } from '../oci/platform';
import { normaliseReference, type ImageReference } from '../oci/reference';
import { isIndexMediaType, isManifestMediaType, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest } from '../oci/types';
import { RegistryClient, isTransientError, type RegistryClientOptions } from '../registry/client';
import type { Credentials } from '../registry/credentials';
import { RegistryError } from '../registry/errors';
import { namespaceProblem } from '../registry/policy';
import { importArchive, type ImportedImage } from './archive';
import { AttestationError, findAttestationManifest, spdxLayers, spdxPredicate } from '../sbom/attestation';

/** An SBOM attestation layer larger than this is refused (syft's SPDX of a big image is ~10 MB). */
const MAX_ATTESTATION_BYTES = 64 * 1024 * 1024;

export interface ImageResolverOptions {
  /** Blob cache directory; default $OSCOMPOSE_CACHE or ~/.cache/oscompose. */
  cacheDir?: string;
  /** OCI image layout directories and OCI/docker archive tarballs, searched in order. */
  imageStores?: string[];
  /** Registries reached over plain HTTP (loopback always is). */
  insecureRegistries?: string[];
  /** Architecture picked from multi-platform images. Default amd64. */
  arch?: string;
  /** Always ask the registry (tags may have moved), as `linuxkit build --pull`. */
  pull?: boolean;
  credentials?: Credentials;
  /** Passed to the registry client (env, dockerConfig, retries, fetch, …). */
  registry?: Omit<RegistryClientOptions, 'insecureRegistries' | 'credentials'>;
}

export interface ResolvedImage {
  /** The normalised input reference, e.g. docker.io/library/alpine:3.20. */
  reference: string;
  /** Digest of the image manifest (for this arch). */
  digest: string;
  /** Digest of the multi-platform index the manifest was picked from, if any. */
  indexDigest?: string;
  /** The reference pinned: name[:tag]@(indexDigest ?? digest), what `oscompose resolve` prints. */
  pinned: string;
  manifest: ImageManifest;
  /** The OCI image config JSON. */
  config: ImageConfig;
  /** Layer descriptors, bottom first. */
  layers: Descriptor[];
  /** Compressed bytes of all layers. */
  size: number;
  /** Where the manifest came from. */
  source: 'store' | 'cache' | 'registry';
  /** The image store (directory or archive) it was found in, when source is 'store'. */
  store?: string;
  /** Opens a blob's (compressed) bytes, fetching it into the cache first when needed. */
  openBlob(digest: string): Promise<AsyncIterable<Buffer>>;
}

export interface ImageResolver {
  resolve(ref: string): Promise<ResolvedImage>;
  /** Fetches every layer into the cache (3 at a time); reports bytes (done, total) as they arrive. */
  fetchLayers(image: ResolvedImage, onProgress?: (done: number, total: number) => void): Promise<void>;
  /**
   * The SPDX documents of the image's SBOM attestation (BuildKit's attestation manifest in its
   * index), as LinuxKit reads them; none when the image has no index or no attestation.
   */
  sboms(image: ResolvedImage): Promise<Record<string, unknown>[]>;
  cache: BlobCache;
  client: RegistryClient;
}

export function createImageResolver(opts: ImageResolverOptions = {}): ImageResolver {
  const cache = new BlobCache(opts.cacheDir ?? defaultCacheDir());
  const client = new RegistryClient({ ...opts.registry, insecureRegistries: opts.insecureRegistries, credentials: opts.credentials });
  const arch = opts.arch ?? 'amd64';
  const inflight = new Map<string, Promise<void>>();
  const internals = new WeakMap<ResolvedImage, { r: ImageReference; storeDir?: string; index?: ImageIndex }>();
  let archives: Promise<{ path: string; images: ImportedImage[] }[]> | undefined;

  const loadArchives = () =>
    (archives ??= (async () => {
      const out: { path: string; images: ImportedImage[] }[] = [];
      for (const s of opts.imageStores ?? []) {
        // A store that does not exist (yet) is empty: the default data/images may not be made.
        const st = await stat(s).catch(() => undefined);
        if (st?.isFile()) out.push({ path: s, images: await importArchive(s, cache) });
      }
      return out;
    })());

  /** Ensures a blob is in the cache (or a store), fetching it from the registry once. */
  async function ensureBlob(r: ImageReference, desc: Descriptor, store?: string, onBytes?: (n: number) => void): Promise<string> {
    if (store && (await hasBlob(store, desc.digest))) return store;
    if (await cache.has(desc.digest)) return cache.dir;
    let p = inflight.get(desc.digest);
    if (!p) {
      p = fetchIntoCache(r, desc, onBytes).finally(() => inflight.delete(desc.digest));
      inflight.set(desc.digest, p);
    }
    await p;
    return cache.dir;
  }

  async function fetchIntoCache(r: ImageReference, desc: Descriptor, onBytes?: (n: number) => void): Promise<void> {
    const retries = opts.registry?.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      let got = 0;
      try {
        await cache.put(desc.digest, () => client.blob(r, desc), {
          maxBytes: desc.size > 0 ? desc.size : undefined,
          onBytes: (n) => {
            got += n;
            onBytes?.(n);
          },
        });
        return;
      } catch (e) {
        if (e instanceof DigestMismatchError) {
          throw new RegistryError(r.name, 'digest-mismatch', `blob ${e.expected} arrived with digest ${e.actual}; the registry or a proxy corrupted it (nothing was kept)`);
        }
        if (e instanceof BlobTooLargeError) {
          throw new RegistryError(r.name, 'digest-mismatch', `blob ${desc.digest} is larger than the ${desc.size} bytes its manifest declares (nothing was kept)`);
        }
        if (attempt < retries && isTransientError(e)) {
          onBytes?.(-got); // the retry starts the blob again
          await new Promise((res) => setTimeout(res, (opts.registry?.retryDelayMs ?? 300) * 2 ** attempt));
          continue;
        }
        if (e instanceof RegistryError) throw e;
        throw new RegistryError(r.name, 'network', `fetching blob ${desc.digest} failed: ${(e as Error).message}`, { cause: e });
      }
    }
  }

  /** Reads a small JSON blob from a layout, fetching it into the cache if the layout lacks it. */
  async function readJson<T>(r: ImageReference, dir: string, desc: Descriptor, canFetch: boolean, kind: 'manifest' | 'blob' = 'blob'): Promise<T> {
    let from = dir;
    if (!(await hasBlob(dir, desc.digest))) {
      if (!canFetch) throw new RegistryError(r.name, 'not-found', `blob ${desc.digest} is missing from image store ${dir}; write the image again`);
      if (kind === 'manifest') {
        // Manifests come from the manifests endpoint (by digest, verified there).
        const m = await client.getManifest(r, desc.digest);
        await cache.put(m.digest, m.bytes);
        from = cache.dir;
      } else {
        from = await ensureBlob(r, desc);
      }
    }
    const bytes = await readBlob(from, desc.digest).catch((e: unknown) => {
      throw e instanceof ArchiveError ? new RegistryError(r.name, 'digest-mismatch', e.message) : e;
    });
    return JSON.parse(bytes.toString()) as T;
  }

  async function fromLayout(r: ImageReference, dir: string, top: Descriptor, source: ResolvedImage['source'], store?: string): Promise<ResolvedImage> {
    const canFetch = source !== 'store';
    let manifestDesc = top;
    let indexDigest: string | undefined;
    let index: ImageIndex | undefined;
    let mediaType = top.mediaType;
    if (!mediaType) {
      const doc = await readJson<{ mediaType?: string; manifests?: unknown }>(r, dir, top, canFetch, 'manifest');
      mediaType = doc.mediaType ?? (doc.manifests ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json');
    }
    if (isIndexMediaType(mediaType)) {
      index = await readJson<ImageIndex>(r, dir, top, canFetch, 'manifest');
      const pick = selectPlatform(index, arch);
      if (!pick) throw new RegistryError(r.name, 'platform', `no linux/${arch} image in this multi-platform image (it has: ${describePlatforms(index)}); choose another --arch or image`);
      indexDigest = top.digest;
      manifestDesc = pick;
    }
    const manifest = await readJson<ImageManifest>(r, dir, manifestDesc, canFetch, 'manifest');
    if (!manifest.config || !Array.isArray(manifest.layers)) throw new RegistryError(r.name, 'invalid', `${manifestDesc.digest} is not an image manifest`);
    const config = await readJson<ImageConfig>(r, dir, manifest.config, canFetch);
    return resolvedImage(r, manifestDesc.digest, indexDigest, manifest, config, source, store, source === 'store' ? dir : undefined, index);
  }

  function resolvedImage(
    r: ImageReference,
    digest: string,
    indexDigest: string | undefined,
    manifest: ImageManifest,
    config: ImageConfig,
    source: ResolvedImage['source'],
    store: string | undefined,
    storeDir: string | undefined,
    index?: ImageIndex,
  ): ResolvedImage {
    const base = `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}`;
    const image: ResolvedImage = {
      reference: r.name,
      digest,
      ...(indexDigest ? { indexDigest } : {}),
      pinned: `${base}@${indexDigest ?? digest}`,
      manifest,
      config,
      layers: manifest.layers,
      size: manifest.layers.reduce((n, l) => n + l.size, 0),
      source,
      ...(store ? { store } : {}),
      async openBlob(d: string) {
        const desc = manifest.layers.find((l) => l.digest === d) ?? (manifest.config.digest === d ? manifest.config : undefined);
        if (!desc) throw new RegistryError(r.name, 'invalid', `blob ${d} is not part of this image`);
        if (source === 'store' && storeDir && !(await hasBlob(storeDir, d))) {
          throw new RegistryError(r.name, 'not-found', `layer ${d} is missing from image store ${store}; write the image again`);
        }
        const dir = await ensureBlob(r, desc, storeDir);
        return openBlob(dir, d);
      },
    };
    internals.set(image, { r, storeDir, index });
    return image;
  }

  async function resolve(ref: string): Promise<ResolvedImage> {
    let r: ImageReference;
    try {
      r = normaliseReference(ref);
    } catch (e) {
      throw new RegistryError(ref, 'invalid', (e as Error).message);
    }
    // Another team's uploads share the image store: a server's policy keeps them its own.
    const foreign = opts.registry?.policy && namespaceProblem(opts.registry.policy, r.registry, r.repository);
    if (foreign) throw new RegistryError(r.name, 'denied', foreign, { status: 403 });
    // A digest names immutable content: when the cache has it, even --pull need not ask again.
    if (opts.pull && r.digest && (await cache.has(r.digest))) return fromLayout(r, cache.dir, { mediaType: '', digest: r.digest, size: 0 }, 'cache');
    if (!opts.pull) {
      for (const s of opts.imageStores ?? []) {
        const st = await stat(s).catch(() => undefined);
        if (!st?.isDirectory()) continue;
        const desc = (await findInLayout(s, r.name)) ?? (r.digest && (await hasBlob(s, r.digest)) ? { mediaType: '', digest: r.digest, size: 0 } : undefined);
        if (desc) return fromLayout(r, s, desc, 'store', s);
      }
      for (const a of await loadArchives()) {
        const hit = a.images.find((i) => i.reference === r.name || (r.digest && i.descriptor.digest === r.digest));
        if (hit) return fromLayout(r, cache.dir, hit.descriptor, 'store', a.path);
      }
      const cached = (await cache.lookup(r.name).catch(() => undefined)) ?? (r.digest && (await cache.has(r.digest)) ? { mediaType: '', digest: r.digest, size: 0 } : undefined);
      if (cached) return fromLayout(r, cache.dir, cached, 'cache');
    }
    const img = await client.resolve(r, arch);
    await cache.put(img.digest, img.manifestBytes);
    if (img.index) await cache.put(img.index.digest, img.index.bytes);
    await ensureBlob(r, img.manifest.config);
    const config = JSON.parse((await cache.read(img.manifest.config.digest)).toString()) as ImageConfig;
    const top: Descriptor = img.index
      ? { mediaType: img.index.mediaType, digest: img.index.digest, size: img.index.bytes.length }
      : { mediaType: img.manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json', digest: img.digest, size: img.manifestBytes.length };
    // Name what the tag pointed to, so an offline rebuild resolves it from the cache.
    if (!r.digest || r.tag) await cache.tag(r.name, top);
    if (!isManifestMediaType(img.manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json')) {
      throw new RegistryError(r.name, 'invalid', `unsupported manifest media type ${img.manifest.mediaType}`);
    }
    const index = img.index ? (JSON.parse(img.index.bytes.toString()) as ImageIndex) : undefined;
    return resolvedImage(r, img.digest, img.index?.digest, img.manifest, config, 'registry', undefined, undefined, index);
  }

  async function fetchLayers(image: ResolvedImage, onProgress?: (done: number, total: number) => void): Promise<void> {
    const { r, storeDir } = internals.get(image) ?? { r: normaliseReference(image.reference) };
    let done = 0;
    const queue = [...image.layers];
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        if (storeDir && !(await hasBlob(storeDir, d.digest))) throw new RegistryError(r.name, 'not-found', `layer ${d.digest} is missing from image store ${storeDir}; write the image again`);
        let counted = 0;
        await ensureBlob(r, d, storeDir, (n) => {
          counted += n;
          done += n;
          onProgress?.(done, image.size);
        });
        // Already cached (or fetched by a concurrent call): count it whole.
        done += d.size - counted;
        onProgress?.(done, image.size);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
  }

  async function sboms(image: ResolvedImage): Promise<Record<string, unknown>[]> {
    const own = internals.get(image);
    if (!own?.index) return [];
    const { r, storeDir } = own;
    const att = findAttestationManifest(own.index, image.digest);
    if (!att) return [];
    const dir = storeDir ?? cache.dir;
    const manifest = await readJson<ImageManifest>(r, dir, att, !storeDir, 'manifest');
    const docs: Record<string, unknown>[] = [];
    for (const layer of spdxLayers(manifest)) {
      if (layer.size > MAX_ATTESTATION_BYTES) throw new AttestationError(`${r.name}: its SBOM attestation ${layer.digest} is ${layer.size} bytes, more than the ${MAX_ATTESTATION_BYTES} allowed`);
      if (storeDir && !(await hasBlob(storeDir, layer.digest))) throw new RegistryError(r.name, 'not-found', `attestation ${layer.digest} is missing from image store ${storeDir}; write the image again`);
      const from = await ensureBlob(r, layer, storeDir);
      docs.push(spdxPredicate(await readBlob(from, layer.digest), `${r.name} (attestation ${layer.digest})`));
    }
    return docs;
  }

  return { resolve, fetchLayers, sboms, cache, client };
}
