// The build's SBOM: one SPDX 2.3 JSON document naming every image by digest (a CONTAINER
// package with its sha256 and an oci purl) and every package inside each image. Like LinuxKit
// (moby/build/sbom.go) it merges the images' own SPDX attestations, their file names prefixed
// with where the image sits in the root filesystem; unlike LinuxKit it keeps the merged element
// ids apart per image, falls back to the catalog's record and the rootfs package databases for
// images without an attestation, and is reproducible: no random UUID, no clock (the namespace
// comes from the pinned spec's digest, `created` from SOURCE_DATE_EPOCH). Pure.
import { createHash } from 'node:crypto';
import { normaliseReference } from '../oci/reference';
import type { SbomPackage } from './packageDb';
import { packageElementId } from './read';

export const SPDX_VERSION = 'SPDX-2.3';
/** The file LinuxKit writes into the root filesystem (`--sbom-output` default). */
export const SBOM_FILENAME = 'sbom.spdx.json';
export const SBOM_FORMAT = 'sbom';
export const NAMESPACE_BASE = 'https://oscompose.dev/spdx';

export const sbomFileName = (name: string) => `${name}.spdx.json`;

type Json = Record<string, unknown>;

/** What the build knows about one image (each distinct digest once, in build order). */
export interface SbomImage {
  /** The reference as the spec names it. */
  ref: string;
  /** The manifest digest (sha256:…). */
  digest: string;
  /** Where its files sit in the root filesystem ('' for kernel/init, containers/…/rootfs). */
  root: string;
  /** Which sections place it ("init", "onboot dhcpcd" …), for people reading the SBOM. */
  sections: string[];
  /** SPDX documents from the image's attestation manifest (preferred when present). */
  attestations: Json[];
  /** The Debian packages the starter catalog recorded for it. */
  catalog: SbomPackage[];
  /** Packages found in its dpkg/apk databases. */
  rootfs: SbomPackage[];
}

export interface SbomInput {
  /** The build's name (the document's name). */
  name: string;
  /** sha256 hex of the pinned spec: the namespace's unique part. */
  specDigest: string;
  /** Seconds since the epoch (SOURCE_DATE_EPOCH): the `created` time. */
  created: number;
  engineVersion: string;
  images: SbomImage[];
}

const idPart = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The image's purl: pkg:oci/NAME@sha256%3A…?repository_url=REGISTRY/REPO[&tag=TAG]. */
export function ociPurl(ref: string, digest: string): string {
  let repo = ref.replace(/@sha256:[0-9a-f]{64}$/, '');
  let tag: string | undefined;
  try {
    const r = normaliseReference(ref);
    repo = `${r.registry}/${r.repository}`;
    tag = r.tag;
  } catch {
    // An unparsable reference still gets a purl from its text.
  }
  const name = repo.split('/').pop()!.toLowerCase();
  return `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(digest)}?repository_url=${encodeURIComponent(repo)}${tag ? `&tag=${encodeURIComponent(tag)}` : ''}`;
}

function joinPath(prefix: string, name: unknown): unknown {
  if (typeof name !== 'string' || !prefix) return name;
  const parts = `${prefix}/${name}`.split('/').filter((p) => p && p !== '.');
  return parts.join('/');
}

/** Rewrites an attestation document's element ids so they cannot clash with another image's. */
function renameIds(doc: Json, tag: string, imageId: string): { packages: Json[]; files: Json[]; snippets: Json[]; relationships: Json[]; licenses: Json[]; annotations: Json[]; externalRefs: Json[]; described: string[] } {
  const docId = typeof doc.SPDXID === 'string' ? doc.SPDXID : 'SPDXRef-DOCUMENT';
  const rename = (id: unknown): unknown => {
    if (typeof id !== 'string') return id;
    if (id === docId) return imageId;
    if (id === 'NOASSERTION' || id === 'NONE' || id.startsWith('DocumentRef-')) return id;
    return `SPDXRef-${tag}-${id.replace(/^SPDXRef-/, '')}`;
  };
  const arr = (k: string) => (Array.isArray(doc[k]) ? (doc[k] as unknown[]).filter((x): x is Json => !!x && typeof x === 'object') : []);
  const described = new Set<string>((Array.isArray(doc.documentDescribes) ? doc.documentDescribes : []).map((d) => String(rename(d))));
  const relationships: Json[] = [];
  for (const r of arr('relationships')) {
    const from = rename(r.spdxElementId);
    const to = rename(r.relatedSpdxElement);
    // The attestation describes the image: its DESCRIBES become "the image CONTAINS".
    if (from === imageId && r.relationshipType === 'DESCRIBES') {
      described.add(String(to));
      continue;
    }
    relationships.push({ ...r, spdxElementId: from, relatedSpdxElement: to });
  }
  return {
    packages: arr('packages').map((p) => ({ ...p, SPDXID: rename(p.SPDXID), ...(Array.isArray(p.hasFiles) ? { hasFiles: p.hasFiles.map(rename) } : {}) })),
    files: arr('files').map((f) => ({ ...f, SPDXID: rename(f.SPDXID) })),
    snippets: arr('snippets').map((s) => ({ ...s, SPDXID: rename(s.SPDXID), snippetFromFile: rename(s.snippetFromFile) })),
    relationships,
    licenses: arr('hasExtractedLicensingInfos'),
    annotations: arr('annotations'),
    externalRefs: arr('externalDocumentRefs'),
    described: [...described],
  };
}

function packageElement(p: SbomPackage, id: string): Json {
  return {
    SPDXID: id,
    name: p.name,
    versionInfo: p.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    ...(p.source ? { sourceInfo: `built from source package ${p.source}` } : {}),
    ...(p.license ? { licenseDeclared: p.license } : {}),
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
    comment: `found in the ${p.from === 'catalog' ? "starter catalog's record of the image" : p.from === 'dpkg' ? 'dpkg database' : p.from === 'apk' ? 'apk database' : 'image attestation'}${p.arch ? `; architecture ${p.arch}` : ''}`,
  };
}

/** Merges what the build knows into one SPDX 2.3 document (same input, same bytes). */
export function sbomDocument(input: SbomInput): Json {
  const packages: Json[] = [];
  const files: Json[] = [];
  const snippets: Json[] = [];
  const relationships: Json[] = [];
  const licenses: Json[] = [];
  const annotations: Json[] = [];
  const externalRefs: Json[] = [];
  const seenIds = new Set<string>();
  const seenImages = new Set<string>();
  let n = 0;
  for (const img of input.images) {
    if (seenImages.has(img.digest)) continue;
    seenImages.add(img.digest);
    n++;
    const imageId = `SPDXRef-Image-${n}-${idPart(img.ref.replace(/@sha256:[0-9a-f]{64}$/, '').split('/').pop()!)}`;
    packages.push({
      SPDXID: imageId,
      name: img.ref.replace(/@sha256:[0-9a-f]{64}$/, ''),
      versionInfo: img.digest,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      checksums: [{ algorithm: 'SHA256', checksumValue: img.digest.replace(/^sha256:/, '') }],
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: ociPurl(img.ref, img.digest) }],
      primaryPackagePurpose: 'CONTAINER',
      comment: `image placed by ${img.sections.join(', ')}${img.root ? ` at ${img.root}` : ''}`,
    });
    relationships.push({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId });
    const contains = (id: string) => relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: id });

    if (img.attestations.length) {
      for (const [j, doc] of img.attestations.entries()) {
        const part = renameIds(doc, `I${n}${img.attestations.length > 1 ? `d${j + 1}` : ''}`, imageId);
        const own = new Set<string>();
        for (const p of part.packages) {
          if (seenIds.has(String(p.SPDXID))) continue;
          seenIds.add(String(p.SPDXID));
          own.add(String(p.SPDXID));
          packages.push({ ...p, ...(p.packageFileName !== undefined ? { packageFileName: joinPath(img.root, p.packageFileName) } : {}) });
        }
        for (const f of part.files) files.push({ ...f, fileName: joinPath(img.root, f.fileName) });
        snippets.push(...part.snippets);
        relationships.push(...part.relationships);
        licenses.push(...part.licenses);
        annotations.push(...part.annotations);
        externalRefs.push(...part.externalRefs);
        // Every package of the image hangs off the image, so a reader finds them without
        // following the attestation's own tree (which the relationships above keep).
        for (const id of own) contains(id);
        for (const id of part.described) if (!own.has(id)) contains(id);
      }
    } else {
      const list = img.catalog.length ? img.catalog : img.rootfs;
      const unique = new Map<string, SbomPackage>();
      for (const p of list) unique.set(`${p.name}\0${p.version}\0${p.arch ?? ''}`, p);
      const sorted = [...unique.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
      for (const p of sorted) {
        // The id says where the package was found (read.ts reads it back for the build page).
        const id = packageElementId(p.from as 'catalog' | 'dpkg' | 'apk', `${idPart(p.name)}-${short(`${img.digest}\0${p.name}\0${p.version}\0${p.arch ?? ''}`)}`);
        if (seenIds.has(id)) continue;
        seenIds.add(id);
        packages.push(packageElement(p, id));
        contains(id);
      }
    }
  }
  return {
    spdxVersion: SPDX_VERSION,
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: input.name,
    documentNamespace: `${NAMESPACE_BASE}/${encodeURIComponent(input.name)}-${input.specDigest}`,
    creationInfo: {
      licenseListVersion: '3.20',
      creators: ['Organization: oscompose', `Tool: oscompose-${input.engineVersion}`],
      created: iso(input.created),
    },
    packages,
    ...(files.length ? { files } : {}),
    ...(snippets.length ? { snippets } : {}),
    relationships,
    ...(licenses.length ? { hasExtractedLicensingInfos: licenses } : {}),
    ...(annotations.length ? { annotations } : {}),
    ...(externalRefs.length ? { externalDocumentRefs: externalRefs } : {}),
  };
}

/** The document as written into the image and published: 2-space JSON and a newline. */
export function serialiseSbom(doc: Json): Buffer {
  return Buffer.from(JSON.stringify(doc, null, 2) + '\n');
}
