// The size breakdown's data for the pictures (pure): the build's contents as one tree (initramfs →
// section → directory), a path of names for zooming into it, and the size difference per section
// between two builds.
import type { BuildContents, ContentsNode } from '@oscompose/engine';

/** A node of the picture: a section or a directory; `section` is the index of its section (its colour). */
export interface SizeNode {
  /** Unique among its siblings: what a zoom path is made of. */
  key: string;
  name: string;
  path?: string;
  bytes: number;
  /** Only on sections. */
  compressed?: number;
  section: number;
  children?: SizeNode[];
}

/** The initramfs as one tree: its sections (largest first, as a treemap lays them out) and their directories. */
export function sizeTree(c: BuildContents): SizeNode {
  const toNode = (n: ContentsNode, section: number, key: string): SizeNode => ({
    key,
    name: n.name,
    ...(n.path !== undefined ? { path: n.path } : {}),
    bytes: n.bytes,
    section,
    ...(n.children ? { children: n.children.map((ch, i) => toNode(ch, section, ch.path ?? `${ch.name}#${i}`)) } : {}),
  });
  return {
    key: '',
    name: 'initramfs',
    bytes: c.initramfs.bytes,
    section: -1,
    children: c.sections.map((s, i) => ({ ...toNode(s.tree, i, s.id), name: s.label, compressed: s.compressed })),
  };
}

/** The node a zoom path leads to (as far as it still exists) and the nodes on the way, root first. */
export function walk(root: SizeNode, path: string[]): SizeNode[] {
  const trail = [root];
  for (const key of path) {
    const next = trail[trail.length - 1]!.children?.find((c) => c.key === key);
    if (!next) break;
    trail.push(next);
  }
  return trail;
}

export interface SectionDelta {
  label: string;
  kind: string;
  left: number | null;
  right: number | null;
  /** right − left; null when the section is in one build only. */
  delta: number | null;
  leftCompressed: number | null;
  rightCompressed: number | null;
}

/**
 * The size difference per section between two builds: sections are matched by label (`init
 * localhost:5000/oscompose/runc:0.1`, `services getty`), so a section in one build only is added
 * or removed; the order is the right build's, then what only the left one has.
 */
export function sectionDeltas(a: BuildContents, b: BuildContents): SectionDelta[] {
  const left = new Map(a.sections.map((s) => [s.label, s]));
  const right = new Map(b.sections.map((s) => [s.label, s]));
  const labels = [...b.sections.map((s) => s.label), ...a.sections.map((s) => s.label).filter((l) => !right.has(l))];
  return labels.map((label) => {
    const l = left.get(label);
    const r = right.get(label);
    return {
      label,
      kind: (r ?? l)!.kind,
      left: l?.bytes ?? null,
      right: r?.bytes ?? null,
      delta: l && r ? r.bytes - l.bytes : null,
      leftCompressed: l?.compressed ?? null,
      rightCompressed: r?.compressed ?? null,
    };
  });
}
