// Adding an image to the team's catalog by reference: resolved to a digest in its registry (with
// the team's registry credentials), architectures, size and LinuxKit label defaults read from the
// image and stored with the entry. The entry is private to the team (teamId set).
import type { PrismaClient } from '@oscompose/db';
import { CatalogKind } from '@oscompose/db';
import { RegistryClient, normaliseReference } from '@oscompose/engine';
import { z } from 'zod';
import { recordAudit } from '../auth/audit';
import { registryAuthForTeam } from '../auth/credentials';
import { webConfig } from '../config';
import { registryPolicyFor } from '../registries/teamRegistries';
import type { Caller } from '../auth/caller';
import { BadRequestError, ConflictError } from '../errors';
import { serializeCatalogEntry } from './serializeCatalogEntry';

export const AddByReferenceBody = z.object({
  reference: z.string().trim().min(1).max(500),
  kind: CatalogKind,
  name: z.string().trim().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a short name for the spec entry: lower-case letters, digits, ".", "_", "-"').optional(),
  title: z.string().trim().max(200).optional(),
  description: z.string().max(2000).optional(),
});

/** LinuxKit images carry their YAML defaults in this label (JSON). */
const LINUXKIT_LABEL = 'org.mobyproject.config';

export async function addByReference(prisma: PrismaClient, caller: Caller, input: z.infer<typeof AddByReferenceBody>, serverSecret: string) {
  let ref;
  try {
    ref = normaliseReference(input.reference);
  } catch (err) {
    throw new BadRequestError(`"${input.reference}" is not an image reference (${(err as Error).message}); write it as registry/name:tag, e.g. docker.io/library/alpine:3.20.`);
  }
  // The team's registry policy: a reference to the server's own network is refused unconnected.
  const client = new RegistryClient({ credentials: await registryAuthForTeam(prisma, caller.teamId, serverSecret), dockerConfig: false, env: webConfig().registryAuth, policy: await registryPolicyFor(prisma, caller.teamId) });
  const image = await client.resolve(ref); // RegistryError → 422/502 with the registry's reason
  const chunks: Buffer[] = [];
  for await (const c of await client.blob(ref, image.manifest.config)) chunks.push(c);
  const config = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { architecture?: string; config?: { Labels?: Record<string, string> } };
  const labels = config.config?.Labels ?? {};
  let defaults: Record<string, unknown> = {};
  try {
    if (labels[LINUXKIT_LABEL]) defaults = JSON.parse(labels[LINUXKIT_LABEL]) as Record<string, unknown>;
  } catch {
    /* a broken label gives no defaults; the image is still usable */
  }
  const architectures = image.index
    ? [...new Set((JSON.parse(image.index.bytes.toString()) as { manifests: { platform?: { architecture?: string } }[] }).manifests.map((m) => m.platform?.architecture).filter((a): a is string => Boolean(a)))]
    : [config.architecture ?? 'amd64'];
  const size = image.manifest.config.size + image.manifest.layers.reduce((n, l) => n + l.size, 0);
  const shortName = input.name ?? ref.repository.split('/').pop()!.replace(/[^a-z0-9._-]/g, '-');
  // Tag kept as written (the digest is pinned separately); a digest-only reference stays as it is.
  const reference = ref.tag ? `${ref.registry}/${ref.repository}:${ref.tag}` : ref.name;
  const existing = await prisma.catalogEntry.findFirst({ where: { teamId: caller.teamId, reference } });
  if (existing) throw new ConflictError(`${reference} is already in the team catalog; open it to pin another digest.`);
  const row = await prisma.catalogEntry.create({
    data: {
      teamId: caller.teamId,
      reference,
      name: shortName,
      kind: input.kind,
      title: input.title ?? shortName,
      description: input.description ?? labels['org.opencontainers.image.description'] ?? '',
      defaultConfig: JSON.stringify(defaults),
      pinnedDigest: image.digest,
      tags: JSON.stringify(ref.tag ? [ref.tag] : []),
      source: 'team',
      size: BigInt(size),
      architectures: JSON.stringify(architectures),
    },
  });
  await recordAudit(prisma, { teamId: caller.teamId, actorId: caller.userId, action: 'catalog.add', target: reference, data: { digest: image.digest } });
  return serializeCatalogEntry(row);
}
