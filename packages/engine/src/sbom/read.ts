// Reading a build's SBOM back for people: one row per package with the image it came from and
// where it was found, and a search over them (what changed between two builds is diff.ts). Pure
// and free of Node imports, so the browser runs it too (`@oscompose/engine/sbom`).

export interface SbomRow {
  /** 'image' for the images themselves (version = digest), 'package' for what is inside them. */
  kind: 'image' | 'package';
  name: string;
  version: string;
  purl?: string;
  /** The image (reference without digest) the package is in; for an image row, itself. */
  image: string;
  imageDigest: string;
  /** Where a package is known from: the image's attestation, the catalog's record, its dpkg/apk database. */
  found?: PackageFoundIn;
  /** The SPDX supplier ("Organization: Debian"), when the document names one. */
  supplier?: string;
}

export type PackageFoundIn = 'attestation' | 'catalog' | 'dpkg' | 'apk';

/**
 * The element id spdx.ts gives a package it lists itself: SPDXRef-Package-<found>-<name>-<hash>.
 * A package with another id came from the image's own attestation (its ids are renamed per image).
 */
export const packageElementId = (found: Exclude<PackageFoundIn, 'attestation'>, rest: string) => `SPDXRef-Package-${found}-${rest}`;

export function packageFoundIn(spdxId: string): PackageFoundIn {
  const m = /^SPDXRef-Package-(catalog|dpkg|apk)-/.exec(spdxId);
  return m ? (m[1] as PackageFoundIn) : 'attestation';
}

/** What the build page says for `found`. */
export const FOUND_IN_LABEL: Record<PackageFoundIn, string> = {
  attestation: 'image attestation',
  catalog: 'catalog record',
  dpkg: 'dpkg database',
  apk: 'apk database',
};

type Json = Record<string, unknown>;

const isObj = (x: unknown): x is Json => !!x && typeof x === 'object' && !Array.isArray(x);

/** Throws unless `doc` has the shape of an SPDX 2.3 JSON document (what the SBOM route promises). */
export function checkSpdxShape(doc: unknown): asserts doc is Json {
  const problems: string[] = [];
  if (!isObj(doc)) throw new Error('not an SPDX document: expected a JSON object');
  if (doc.spdxVersion !== 'SPDX-2.3') problems.push(`spdxVersion is ${JSON.stringify(doc.spdxVersion)}, expected "SPDX-2.3"`);
  if (doc.dataLicense !== 'CC0-1.0') problems.push('dataLicense must be CC0-1.0');
  if (doc.SPDXID !== 'SPDXRef-DOCUMENT') problems.push('SPDXID must be SPDXRef-DOCUMENT');
  for (const k of ['name', 'documentNamespace']) if (typeof doc[k] !== 'string' || !doc[k]) problems.push(`${k} is missing`);
  const ci = doc.creationInfo;
  if (!isObj(ci) || typeof ci.created !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(ci.created) || !Array.isArray(ci.creators) || !ci.creators.length) {
    problems.push('creationInfo needs created (YYYY-MM-DDThh:mm:ssZ) and creators');
  }
  const ids = new Set<string>(['SPDXRef-DOCUMENT']);
  for (const [k, list] of [['packages', doc.packages], ['files', doc.files ?? []]] as const) {
    if (!Array.isArray(list)) {
      problems.push(`${k} must be a list`);
      continue;
    }
    for (const p of list) {
      const id = isObj(p) ? p.SPDXID : undefined;
      if (typeof id !== 'string' || !/^SPDXRef-[A-Za-z0-9.-]+$/.test(id)) problems.push(`${k}: bad SPDXID ${JSON.stringify(id)}`);
      else if (ids.has(id)) problems.push(`${k}: duplicate SPDXID ${id}`);
      else ids.add(id);
      if (k === 'packages' && isObj(p) && (typeof p.name !== 'string' || typeof p.downloadLocation !== 'string')) problems.push(`package ${String(id)} needs name and downloadLocation`);
    }
  }
  for (const r of Array.isArray(doc.relationships) ? doc.relationships : []) {
    if (!isObj(r)) continue;
    for (const end of [r.spdxElementId, r.relatedSpdxElement]) {
      if (typeof end === 'string' && end.startsWith('SPDXRef-') && !ids.has(end)) problems.push(`relationship names unknown element ${end}`);
    }
  }
  if (problems.length) throw new Error(`not a valid SPDX 2.3 document: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`);
}

const purlOf = (p: Json): string | undefined => {
  const refs = Array.isArray(p.externalRefs) ? p.externalRefs : [];
  const r = refs.find((x) => isObj(x) && x.referenceType === 'purl');
  return isObj(r) && typeof r.referenceLocator === 'string' ? r.referenceLocator : undefined;
};

/**
 * One row per image and per package, packages under the image that CONTAINS them (images are the
 * CONTAINER packages the document DESCRIBES), sorted by image order then name.
 */
export function sbomRows(doc: unknown): SbomRow[] {
  if (!isObj(doc) || !Array.isArray(doc.packages)) return [];
  const pkgs = new Map<string, Json>();
  for (const p of doc.packages) if (isObj(p) && typeof p.SPDXID === 'string') pkgs.set(p.SPDXID, p);
  const images = [...pkgs.values()].filter((p) => p.primaryPackagePurpose === 'CONTAINER');
  const rels = (Array.isArray(doc.relationships) ? doc.relationships : []).filter(isObj);
  const rows: SbomRow[] = [];
  const placed = new Set<string>();
  for (const img of images) {
    const image = String(img.name);
    const imageDigest = String(img.versionInfo ?? '');
    rows.push({ kind: 'image', name: image, version: imageDigest, purl: purlOf(img), image, imageDigest });
    placed.add(String(img.SPDXID));
    const inside: SbomRow[] = [];
    for (const r of rels) {
      if (r.spdxElementId !== img.SPDXID || r.relationshipType !== 'CONTAINS') continue;
      const p = pkgs.get(String(r.relatedSpdxElement));
      if (!p || placed.has(String(p.SPDXID)) || p.primaryPackagePurpose === 'CONTAINER') continue;
      placed.add(String(p.SPDXID));
      const supplier = typeof p.supplier === 'string' && p.supplier !== 'NOASSERTION' ? p.supplier : undefined;
      inside.push({ kind: 'package', name: String(p.name), version: String(p.versionInfo ?? ''), purl: purlOf(p), image, imageDigest, found: packageFoundIn(String(p.SPDXID)), ...(supplier ? { supplier } : {}) });
    }
    inside.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    rows.push(...inside);
  }
  return rows;
}

/** Rows matching a search over name, version and image (case-insensitive, every word must match). */
export function filterRows(rows: SbomRow[], query: string): SbomRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return rows;
  return rows.filter((r) => {
    const hay = `${r.name} ${r.version} ${r.image}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** An image name without its tag (registry ports kept): localhost:5000/x/app:1 → localhost:5000/x/app. */
export function imageRepo(name: string): string {
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name.slice(0, colon) : name;
}
