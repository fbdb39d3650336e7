import { describe, expect, it } from 'vitest';
import type { BuildContents, ContentsSection } from '@oscompose/engine';
import { sectionDeltas, sizeTree, walk } from './sizeBreakdown';

const section = (label: string, bytes: number, children?: ContentsSection['tree']['children']): ContentsSection => ({
  id: label,
  label,
  kind: label.split(' ')[0]!,
  bytes,
  compressed: Math.round(bytes / 3),
  tree: { name: label, path: '', bytes, ...(children ? { children } : {}) },
});
const contents = (sections: ContentsSection[]): BuildContents => ({
  schema: 'oscompose.contents/v1',
  compression: 'gzip',
  initramfs: { bytes: sections.reduce((n, s) => n + s.bytes, 0), compressed: sections.reduce((n, s) => n + s.compressed, 0) },
  kernel: 0,
  sections,
  largest: [],
});

describe('the size breakdown pictures (pure)', () => {
  const a = contents([
    section('kernel k:1', 1000, [{ name: 'lib/modules', path: 'lib/modules', bytes: 900, children: [{ name: 'kernel', path: 'lib/modules/kernel', bytes: 900 }] }, { name: '(files)', bytes: 100 }]),
    section('init runc:1', 300),
    section('trailer', 124),
  ]);

  it('one tree: initramfs → sections (named by their label) → directories; zoom paths by key', () => {
    const t = sizeTree(a);
    expect(t.bytes).toBe(1424);
    expect(t.children!.map((c) => [c.name, c.bytes, c.section])).toEqual([['kernel k:1', 1000, 0], ['init runc:1', 300, 1], ['trailer', 124, 2]]);
    expect(walk(t, ['kernel k:1', 'lib/modules', 'lib/modules/kernel']).map((n) => n.name)).toEqual(['initramfs', 'kernel k:1', 'lib/modules', 'kernel']);
    // A path that no longer leads anywhere (another build's) stops where it still does.
    expect(walk(t, ['kernel k:1', 'gone']).map((n) => n.name)).toEqual(['initramfs', 'kernel k:1']);
  });

  it('per section: changed, added, removed', () => {
    const b = contents([section('kernel k:1', 1000), section('init runc:1', 350), section('onboot hello', 80), section('trailer', 124)]);
    expect(sectionDeltas(a, b).map((r) => [r.label, r.left, r.right, r.delta])).toEqual([
      ['kernel k:1', 1000, 1000, 0],
      ['init runc:1', 300, 350, 50],
      ['onboot hello', null, 80, null],
      ['trailer', 124, 124, 0],
    ]);
    expect(sectionDeltas(b, a).find((r) => r.label === 'onboot hello')).toMatchObject({ left: 80, right: null, kind: 'onboot' });
  });
});
