// Adding an image to the team's catalog by uploading an archive (an OCI archive or a `docker save`
// tarball, optionally gzip'd): the body is spooled to a temporary file under a size limit, imported
// with the engine's archive reader (hostile archives refused) into the image store, named
// `<registry>/<team slug>/<name>:<tag>` there, and stored as a private catalog entry (source upload).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PrismaClient } from '@oscompose/db';
import { CatalogKind } from '@oscompose/db';
import { BlobCache, LimitError, importArchive, isIndexMediaType, normaliseReference, type Descriptor, type ImageIndex, type ImageManifest } from '@oscompose/engine';
import { z } from 'zod';
import { recordAudit } from '../auth/audit';
import type { Caller } from '../auth/caller';
import { BadRequestError, ConflictError, HttpError, NotFoundError } from '../errors';
import { webConfig, type WebConfig } from '../config';
import { serializeCatalogEntry, type CatalogEntryDto } from './serializeCatalogEntry';

/** The query string of `POST /api/v1/catalog/uploads` (the body is the archive itself). */
export const UploadQuery = z.object({
  name: z.string().trim().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'the image name: lower-case letters, digits, ".", "_", "-" (e.g. my-daemon)'),
  tag: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'a tag: letters, digits, ".", "_", "-" (e.g. 1.0)')
    .default('latest'),
  kind: CatalogKind,
  title: z.string().trim().max(200).optional(),
  description: z.string().max(2000).optional(),
});
export type UploadInput = z.infer<typeof UploadQuery>;

export interface UploadSettings {
  /** OCI layout directory the image is written to (OSCOMPOSE_IMAGE_STORE, else <data>/images). */
  imageStore: string;
  /** Registry address uploaded images are named under (OSCOMPOSE_REGISTRY, else localhost:5000). */
  registry: string;
  /** Largest archive accepted (OSCOMPOSE_UPLOAD_MAX_BYTES, default 4 GiB). */
  maxBytes: number;
  /** Most bytes the archive may decompress to (OSCOMPOSE_UPLOAD_MAX_UNPACKED_BYTES, default 16 GiB). */
  maxUnpackedBytes: number;
}

export function uploadSettings(config: WebConfig = webConfig()): UploadSettings {
  return {
    imageStore: config.imageStore,
    registry: config.registry,
    maxBytes: config.upload.maxBytes ?? 4 * 2 ** 30,
    maxUnpackedBytes: config.upload.maxUnpackedBytes ?? 16 * 2 ** 30,
  };
}

export class PayloadTooLargeError extends HttpError {
  constructor(limit: number) {
    super(413, 'too_large', `The archive is larger than the upload limit of ${limit} bytes; raise OSCOMPOSE_UPLOAD_MAX_BYTES on the server or push a smaller image.`);
  }
}

/** LinuxKit images carry their YAML defaults in this label (JSON). */
const LINUXKIT_LABEL = 'org.mobyproject.config';

/**
 * Every config and layer the image's manifests name must be in the archive. A layer that is not
 * (a Docker "foreign layer" carries download URLs instead) is refused, never fetched: an upload
 * must not make the server connect anywhere. Index entries for platforms the archive leaves out
 * are fine; the manifests it does hold must be whole.
 */
async function assertSelfContained(cache: BlobCache, desc: Descriptor): Promise<void> {
  const manifests: Descriptor[] = [];
  if (isIndexMediaType(desc.mediaType)) {
    const index = JSON.parse((await cache.read(desc.digest)).toString('utf8')) as ImageIndex;
    for (const m of index.manifests) if (await cache.has(m.digest)) manifests.push(m);
    if (!manifests.length) throw new BadRequestError('The archive holds an image index but none of its images; save the image with its manifests and layers.');
  } else manifests.push(desc);
  for (const m of manifests) {
    const manifest = JSON.parse((await cache.read(m.digest)).toString('utf8')) as ImageManifest;
    for (const blob of [manifest.config, ...(manifest.layers ?? [])]) {
      if (await cache.has(blob.digest)) continue;
      const foreign = blob.urls?.length ? ' (a foreign layer: it points at download URLs, which oscompose never fetches)' : '';
      throw new BadRequestError(`The archive lacks ${blob.digest}${foreign}; save the image with every layer inside the archive (docker save, or skopeo copy … oci-archive:) and upload it again.`);
    }
  }
}

/** Streams the request body to `file`, refusing more than `max` bytes. */
async function spool(body: ReadableStream<Uint8Array>, file: string, max: number): Promise<number> {
  let n = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      cb(n > max ? new PayloadTooLargeError(max) : null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), limit, createWriteStream(file));
  return n;
}

interface ImageFacts {
  architectures: string[];
  size: number;
  labels: Record<string, string>;
}

/** Architectures, compressed size and labels of an imported image (an index: its amd64 image or the first). */
async function readFacts(cache: BlobCache, desc: Descriptor): Promise<ImageFacts> {
  const parse = async <T>(digest: string): Promise<T> => JSON.parse((await cache.read(digest)).toString('utf8')) as T;
  let manifestDesc = desc;
  let architectures: string[] | undefined;
  if (isIndexMediaType(desc.mediaType)) {
    const index = await parse<ImageIndex>(desc.digest);
    const images = index.manifests.filter((m) => m.platform?.architecture && m.platform.architecture !== 'unknown');
    architectures = [...new Set(images.map((m) => m.platform!.architecture))];
    const chosen = images.find((m) => m.platform!.architecture === 'amd64') ?? images[0] ?? index.manifests[0];
    if (!chosen) throw new BadRequestError('The archive holds an empty image index; upload an archive with at least one image.');
    manifestDesc = chosen;
  }
  const manifest = await parse<ImageManifest>(manifestDesc.digest);
  const config = await parse<{ architecture?: string; config?: { Labels?: Record<string, string> | null } }>(manifest.config.digest);
  return {
    architectures: architectures?.length ? architectures : [config.architecture ?? 'amd64'],
    size: manifest.config.size + manifest.layers.reduce((s, l) => s + l.size, 0),
    labels: config.config?.Labels ?? {},
  };
}

export async function uploadArchive(
  prisma: PrismaClient,
  caller: Caller,
  input: UploadInput,
  body: ReadableStream<Uint8Array> | null,
  settings: UploadSettings = uploadSettings(),
): Promise<CatalogEntryDto> {
  if (!body) throw new BadRequestError('Send the archive (OCI archive or `docker save` tarball) as the request body, e.g. curl --data-binary @image.tar.');
  const team = await prisma.team.findUnique({ where: { id: caller.teamId } });
  if (!team) throw new NotFoundError('Team');
  const reference = normaliseReference(`${settings.registry}/${team.slug}/${input.name}:${input.tag}`).name;
  const existing = await prisma.catalogEntry.findFirst({ where: { teamId: caller.teamId, reference } });
  if (existing) throw new ConflictError(`${reference} is already in the team catalog; upload under another tag (?tag=…) or delete that entry first.`);

  const dir = await mkdtemp(path.join(tmpdir(), 'oscompose-upload-'));
  try {
    const file = path.join(dir, 'archive.tar');
    const bytes = await spool(body, file, settings.maxBytes);
    if (bytes === 0) throw new BadRequestError('The request body is empty; send the archive as the body (curl --data-binary @image.tar).');
    const cache = new BlobCache(settings.imageStore);
    await cache.init();
    // `ref` names an image the archive leaves unnamed; names the archive carries are not written to the store.
    const images = await importArchive(file, cache, {
      ref: reference,
      name: 'the uploaded archive',
      maxBlobBytes: settings.maxBytes,
      maxBytes: settings.maxUnpackedBytes,
    }).catch((e: unknown) => {
      if (e instanceof LimitError && e.limit === 'archive-bytes') {
        throw new HttpError(413, 'too_large', `${e.message}; the server's limits are OSCOMPOSE_UPLOAD_MAX_UNPACKED_BYTES (decompressed) and OSCOMPOSE_UPLOAD_MAX_BYTES (per blob): push a smaller image or ask the operator to raise them.`);
      }
      throw e;
    });
    const distinct = [...new Map(images.map((i) => [i.descriptor.digest, i])).values()];
    if (distinct.length > 1) {
      throw new BadRequestError(`The archive holds ${distinct.length} different images (${distinct.map((i) => i.reference).join(', ')}); save one image per archive (docker save IMAGE, skopeo copy … oci-archive:).`);
    }
    const image = distinct[0]!;
    await assertSelfContained(cache, image.descriptor);
    const facts = await readFacts(cache, image.descriptor);
    await cache.tag(reference, image.descriptor);
    let defaults: Record<string, unknown> = {};
    try {
      if (facts.labels[LINUXKIT_LABEL]) defaults = JSON.parse(facts.labels[LINUXKIT_LABEL]) as Record<string, unknown>;
    } catch {
      /* a broken label gives no defaults; the image is still usable */
    }
    const row = await prisma.catalogEntry.create({
      data: {
        teamId: caller.teamId,
        reference,
        name: input.name,
        kind: input.kind,
        title: input.title || input.name,
        description: input.description ?? facts.labels['org.opencontainers.image.description'] ?? '',
        defaultConfig: JSON.stringify(defaults),
        pinnedDigest: image.descriptor.digest,
        tags: JSON.stringify([input.tag]),
        source: 'upload',
        size: BigInt(facts.size),
        architectures: JSON.stringify(facts.architectures),
      },
    });
    await recordAudit(prisma, {
      teamId: caller.teamId,
      actorId: caller.userId,
      action: 'catalog.upload',
      target: reference,
      data: { digest: image.descriptor.digest, archiveBytes: bytes, archiveName: image.reference },
    });
    return serializeCatalogEntry(row);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
