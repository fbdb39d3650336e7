// BuildKit's SBOM attestations, read as LinuxKit reads them (cache/imagesource.go SBoMs): the
// image index holds, next to each platform's manifest, an "attestation manifest" annotated
// vnd.docker.reference.type=attestation-manifest and vnd.docker.reference.digest=<that manifest>;
// its layers are in-toto Statements, and those with predicate type https://spdx.dev/Document
// carry an SPDX document as the predicate. Pure: JSON in, descriptors and documents out.
import type { Descriptor, ImageIndex, ImageManifest } from '../oci/types';

export const REFERENCE_TYPE = 'vnd.docker.reference.type';
export const REFERENCE_DIGEST = 'vnd.docker.reference.digest';
export const ATTESTATION_MANIFEST = 'attestation-manifest';
export const IN_TOTO_MEDIA_TYPE = 'application/vnd.in-toto+json';
export const PREDICATE_TYPE_ANNOTATION = 'in-toto.io/predicate-type';
export const SPDX_PREDICATE = 'https://spdx.dev/Document';

export class AttestationError extends Error {
  override name = 'AttestationError';
}

/** The attestation manifest for `manifestDigest` in the index, if the image has one. */
export function findAttestationManifest(index: ImageIndex, manifestDigest: string): Descriptor | undefined {
  const hits = (index.manifests ?? []).filter(
    (d) => d.annotations?.[REFERENCE_TYPE] === ATTESTATION_MANIFEST && d.annotations?.[REFERENCE_DIGEST] === manifestDigest,
  );
  // LinuxKit refuses two attestation manifests for one image rather than picking one.
  if (hits.length > 1) throw new AttestationError(`the image index has ${hits.length} attestation manifests for ${manifestDigest}; expected at most one`);
  return hits[0];
}

/** The attestation manifest's layers that hold SPDX statements (others: provenance, are skipped). */
export function spdxLayers(manifest: ImageManifest): Descriptor[] {
  return (manifest.layers ?? []).filter((l) => l.mediaType === IN_TOTO_MEDIA_TYPE && l.annotations?.[PREDICATE_TYPE_ANNOTATION] === SPDX_PREDICATE);
}

/** The SPDX document inside an in-toto Statement (the layer's bytes). */
export function spdxPredicate(bytes: Buffer | string, what: string): Record<string, unknown> {
  let stmt: { predicateType?: unknown; predicate?: unknown };
  try {
    stmt = JSON.parse(bytes.toString()) as typeof stmt;
  } catch (e) {
    throw new AttestationError(`${what}: the SBOM attestation is not JSON (${(e as Error).message})`);
  }
  if (stmt.predicateType !== SPDX_PREDICATE) throw new AttestationError(`${what}: unexpected predicate type ${String(stmt.predicateType)} (expected ${SPDX_PREDICATE})`);
  const doc = stmt.predicate;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new AttestationError(`${what}: the SBOM attestation has no SPDX document as its predicate`);
  return doc as Record<string, unknown>;
}
