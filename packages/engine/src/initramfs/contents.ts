// What the initramfs is made of: bytes per section → directory and the largest files, counted from
// the newc records as each section archive is written (no second pass over the data). A section
// keeps its tally in the section cache beside its archive, so a cached section still has one; the
// tree served with a build is built from the tallies by a pure function.

/** Published with a build as NAME.contents.json (format "contents"). */
export const CONTENTS_FORMAT = 'contents';
export const CONTENTS_SCHEMA = 'oscompose.contents/v1';
export const contentsFileName = (name: string) => `${name}.contents.json`;

/** One section's records as written: bytes per directory (its own record and its files') and its largest files. */
export interface SectionTally {
  /** Directory path ('' = the root) → bytes of the directory's own record plus its files' records. */
  dirs: Record<string, number>;
  /** The largest file records (path, bytes), largest first. */
  largest: { path: string; bytes: number }[];
}

/** How many largest files a section keeps (the build lists the largest of all sections). */
const LARGEST_PER_SECTION = 25;

/** Counts records as a section archive is written; `add` is called once per newc record. */
export class Tally {
  private dirs = new Map<string, number>();
  private largest: { path: string; bytes: number }[] = [];
  readonly add = (name: string, bytes: number, dir: boolean): void => {
    const at = dir ? name : parentOf(name);
    this.dirs.set(at, (this.dirs.get(at) ?? 0) + bytes);
    if (dir) return;
    const l = this.largest;
    if (l.length === LARGEST_PER_SECTION && bytes <= l[l.length - 1]!.bytes) return;
    // Kept sorted (largest first; ties by path, so the list does not depend on arrival order).
    let i = l.findIndex((x) => bytes > x.bytes || (bytes === x.bytes && name < x.path));
    if (i < 0) i = l.length;
    l.splice(i, 0, { path: name, bytes });
    if (l.length > LARGEST_PER_SECTION) l.pop();
  };
  result(): SectionTally {
    const dirs: Record<string, number> = {};
    for (const k of [...this.dirs.keys()].sort()) dirs[k] = this.dirs.get(k)!;
    return { dirs, largest: this.largest.slice() };
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** A directory (or a leaf standing for a directory's own files, or what was too small to show). */
export interface ContentsNode {
  name: string;
  /** Path in the root filesystem ('' for a section's root); absent on the synthetic leaves. */
  path?: string;
  /** Uncompressed bytes in the initramfs (records: headers, names, data, padding); children add up to it. */
  bytes: number;
  children?: ContentsNode[];
}

export interface ContentsSection {
  id: string;
  label: string;
  /** kernel (its modules and other files; the kernel binary is an artifact of its own), init, container, volume, files, or one of the engine's own parts (apk database, sbom, trailer). */
  kind: string;
  /** The image reference (pinned) the section was made from. */
  image?: string;
  /** Uncompressed bytes of the section's records. */
  bytes: number;
  /** Bytes of its compressed archive in the initramfs. */
  compressed: number;
  /** Served from the section cache in this build. */
  cached?: boolean;
  tree: ContentsNode;
}

export interface BuildContents {
  schema: typeof CONTENTS_SCHEMA;
  compression: string;
  /** The initramfs as the engine wrote it (without a microcode cpio put in front): its decompressed and compressed size. */
  initramfs: { bytes: number; compressed: number };
  /** Bytes of the kernel binary (not in the initramfs); 0 without a kernel. */
  kernel: number;
  /** In initramfs order; their bytes and compressed bytes add up to the initramfs's. */
  sections: ContentsSection[];
  /** The largest files of the whole initramfs, largest first. */
  largest: { path: string; bytes: number; section: string }[];
}

/** What a writer reports of one section: its figures and its tally. */
export type SectionInput = Omit<ContentsSection, 'tree'> & { tally: SectionTally };

/** A directory shown on its own needs this share of its section (smaller ones are summed into "other"). */
const MIN_SHARE = 1 / 200;
const LARGEST = 50;
export const OWN_FILES = '(files)';
export const OTHER = '(other)';

/** The build's contents from its sections' tallies (pure). */
export function buildContents(input: { compression: string; kernel: number; sections: SectionInput[] }): BuildContents {
  const sections = input.sections.map(({ tally, ...s }): ContentsSection => ({ ...s, tree: sectionTree(s.label, tally, s.bytes) }));
  const largest = input.sections
    .flatMap((s) => s.tally.largest.map((f) => ({ ...f, section: s.id })))
    .sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .slice(0, LARGEST);
  return {
    schema: CONTENTS_SCHEMA,
    compression: input.compression,
    initramfs: { bytes: sum(sections.map((s) => s.bytes)), compressed: sum(sections.map((s) => s.compressed)) },
    kernel: input.kernel,
    sections,
    largest,
  };
}

/** A section's directory tree: totals per directory, small ones folded, single-child chains joined (a/b/c). */
export function sectionTree(label: string, tally: SectionTally, bytes: number): ContentsNode {
  interface Dir { own: number; total: number; children: Map<string, Dir> }
  const root: Dir = { own: 0, total: 0, children: new Map() };
  for (const [path, n] of Object.entries(tally.dirs)) {
    let d = root;
    d.total += n;
    for (const part of path ? path.split('/') : []) {
      let c = d.children.get(part);
      if (!c) d.children.set(part, (c = { own: 0, total: 0, children: new Map() }));
      c.total += n;
      d = c;
    }
    d.own += n;
  }
  const min = Math.max(1, Math.ceil(bytes * MIN_SHARE));
  const toNode = (name: string, path: string, d: Dir): ContentsNode => {
    // Join a chain of directories holding nothing but one directory (containers/services/getty/rootfs).
    while (d.children.size === 1 && d.own <= 512) {
      const [childName, child] = [...d.children][0]!;
      name = name ? `${name}/${childName}` : childName;
      path = path ? `${path}/${childName}` : childName;
      child.own += d.own;
      child.total = d.total;
      d = child;
    }
    if (!d.children.size) return { name, path, bytes: d.total };
    const children: ContentsNode[] = [];
    let other = 0;
    for (const [n, c] of [...d.children].sort((a, b) => b[1].total - a[1].total || (a[0] < b[0] ? -1 : 1))) {
      if (c.total >= min) children.push(toNode(n, path ? `${path}/${n}` : n, c));
      else other += c.total;
    }
    if (d.own) children.push({ name: OWN_FILES, bytes: d.own });
    if (other) children.push({ name: OTHER, bytes: other });
    if (children.length === 1 && !children[0]!.path) return { name, path, bytes: d.total };
    return { name, path, bytes: d.total, children };
  };
  const tree = toNode('', '', root);
  return { ...tree, name: tree.name ? `${label}: ${tree.name}` : label };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
