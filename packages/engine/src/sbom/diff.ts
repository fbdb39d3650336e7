// What changed between two builds' SBOMs: packages and images added, removed or changed. Pure
// and free of Node imports (the compare page runs it in the browser, `@oscompose/engine/sbom`).
import { imageRepo, type SbomRow } from './read';

export interface SbomChange {
  change: 'added' | 'removed' | 'changed';
  kind: SbomRow['kind'];
  name: string;
  /** The image the package is in (for images: the image itself). */
  image: string;
  before?: string;
  after?: string;
}

/**
 * What changed from build a to build b: packages (and images) keyed by image name and package
 * name; a different version (image: digest) is "changed". Sorted by image, then name.
 */
export function diffSbom(a: SbomRow[], b: SbomRow[]): SbomChange[] {
  // The image's repository, not its tag: app:1 → app:2 changes the image, it is not a new one.
  const key = (r: SbomRow) => `${r.kind}\0${imageRepo(r.image)}\0${r.kind === 'image' ? '' : r.name}`;
  const versions = (rows: SbomRow[]) => {
    const m = new Map<string, { row: SbomRow; versions: string[] }>();
    for (const r of rows) {
      const e = m.get(key(r)) ?? { row: r, versions: [] };
      if (!e.versions.includes(r.version)) e.versions.push(r.version);
      m.set(key(r), e);
    }
    return m;
  };
  const left = versions(a);
  const right = versions(b);
  const out: SbomChange[] = [];
  for (const [k, l] of left) {
    const r = right.get(k);
    const before = l.versions.sort().join(', ');
    if (!r) out.push({ change: 'removed', kind: l.row.kind, name: l.row.name, image: l.row.image, before });
    else {
      const after = r.versions.sort().join(', ');
      if (before !== after) out.push({ change: 'changed', kind: l.row.kind, name: l.row.name, image: l.row.image, before, after });
    }
  }
  for (const [k, r] of right) if (!left.has(k)) out.push({ change: 'added', kind: r.row.kind, name: r.row.name, image: r.row.image, after: r.versions.sort().join(', ') });
  const rank = (c: SbomChange) => (c.kind === 'image' ? 0 : 1);
  const repo = (c: SbomChange) => imageRepo(c.image);
  return out.sort((x, y) => (repo(x) < repo(y) ? -1 : repo(x) > repo(y) ? 1 : rank(x) - rank(y) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)));
}
