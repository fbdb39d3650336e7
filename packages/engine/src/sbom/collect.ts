// Gathering the SBOM's inputs for a planned build: which images sit where (pure, from the plan),
// then the thin I/O: each image's attestation from the image provider, the catalog's label from
// its config, the package databases execute.ts captured while the sections were written.
import { createHash } from 'node:crypto';
import type { FsEntry } from '../oci/entry';
import type { PlannedBuildSection } from '../buildPlan';
import type { ImageProvider } from '../inputs';
import { APK_INSTALLED, DEBIAN_PACKAGES_LABEL, DPKG_STATUS, parseApkInstalled, parseDebianLabel, parseDpkgStatus } from './packageDb';
import { sbomDocument, serialiseSbom, type SbomImage } from './spdx';

/** The package databases found in one image's files, as captured (raw bytes). */
export interface PackageDbs {
  dpkg?: Buffer;
  apk?: Buffer;
}

/** Each image of the plan once (by digest, in build order) with where it is placed. */
export function plannedImages(sections: readonly PlannedBuildSection[]): Array<Omit<SbomImage, 'attestations' | 'catalog' | 'rootfs'> & { labels: Record<string, string> }> {
  const out = new Map<string, Omit<SbomImage, 'attestations' | 'catalog' | 'rootfs'> & { labels: Record<string, string> }>();
  for (const s of sections) {
    if (s.kind === 'files' || !s.image) continue;
    const root = s.kind === 'container' ? s.root : s.kind === 'volume' ? `${s.path}/lower` : '';
    const where = s.kind === 'container' ? `${s.section} ${s.name}` : s.kind === 'volume' ? `volume ${s.name}` : s.kind;
    const seen = out.get(s.image.digest);
    if (seen) {
      seen.sections.push(where);
      continue;
    }
    out.set(s.image.digest, { ref: s.image.ref, digest: s.image.digest, root, sections: [where], labels: s.image.config?.Labels ?? {} });
  }
  return [...out.values()];
}

/** Builds the SBOM document's bytes for a plan (same plan and images, same bytes). */
export async function collectSbom(
  plan: { name: string; resolved: unknown; sections: readonly PlannedBuildSection[]; sourceDateEpoch: number },
  provider: Pick<ImageProvider, 'sbom'>,
  dbs: ReadonlyMap<string, PackageDbs>,
  engineVersion: string,
): Promise<Buffer> {
  const images: SbomImage[] = [];
  for (const img of plannedImages(plan.sections)) {
    const info = (await provider.sbom?.(img)) ?? { attestations: [] };
    const label = img.labels[DEBIAN_PACKAGES_LABEL];
    const db = dbs.get(img.digest) ?? {};
    images.push({
      ref: img.ref, digest: img.digest, root: img.root, sections: img.sections,
      attestations: info.attestations,
      catalog: label ? parseDebianLabel(label, info.architecture) : [],
      rootfs: [...(db.dpkg ? parseDpkgStatus(db.dpkg.toString()) : []), ...(db.apk ? parseApkInstalled(db.apk.toString()) : [])],
    });
  }
  const specDigest = createHash('sha256').update(JSON.stringify(plan.resolved)).digest('hex');
  return serialiseSbom(sbomDocument({ name: plan.name, specDigest, created: plan.sourceDateEpoch, engineVersion, images }));
}

/** Passes an image's entries through, keeping a copy of its dpkg and apk databases. */
export async function* capturePackageDbs(entries: AsyncIterable<FsEntry>, into: PackageDbs): AsyncGenerator<FsEntry> {
  for await (const e of entries) {
    const which = e.type === 'file' ? (e.path === DPKG_STATUS ? 'dpkg' : e.path === APK_INSTALLED ? 'apk' : undefined) : undefined;
    if (!which) {
      yield e;
      continue;
    }
    let data: Buffer;
    if (Buffer.isBuffer(e.content)) data = e.content;
    else {
      const parts: Buffer[] = [];
      for await (const c of e.content ?? []) parts.push(Buffer.from(c));
      data = Buffer.concat(parts);
    }
    into[which] = data;
    yield { ...e, content: data };
  }
}
