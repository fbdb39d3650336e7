import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Spec } from '@oscompose/spec';
import { build } from '../build';
import { tarBuffer } from '../oci/tar';
import { directory, entry, memoryImages } from '../testing/memory-images';
import { buildContents, OTHER, OWN_FILES, sectionTree, Tally, type ContentsNode } from './contents';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oscompose-contents-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every node's children add up to it. */
function checkSums(n: ContentsNode): void {
  if (!n.children) return;
  expect(n.children.reduce((a, c) => a + c.bytes, 0), n.path ?? n.name).toBe(n.bytes);
  n.children.forEach(checkSums);
}
const find = (n: ContentsNode, path: string): ContentsNode | undefined => (n.path === path ? n : n.children?.map((c) => find(c, path)).find(Boolean));

describe('the contents tree (pure)', () => {
  it('sums records per directory, folds small directories into (other), joins single-child chains', () => {
    const t = new Tally();
    t.add('containers', 120, true);
    t.add('containers/services', 128, true);
    t.add('containers/services/getty', 132, true);
    t.add('containers/services/getty/rootfs', 136, true);
    t.add('containers/services/getty/rootfs/usr', 140, true);
    t.add('containers/services/getty/rootfs/usr/big', 100_000, false);
    t.add('containers/services/getty/rootfs/etc', 140, true);
    t.add('containers/services/getty/rootfs/etc/tiny', 200, false);
    t.add('containers/services/getty/config.json', 3000, false);
    const tally = t.result();
    expect(tally.largest.map((f) => f.path)).toEqual(['containers/services/getty/rootfs/usr/big', 'containers/services/getty/config.json', 'containers/services/getty/rootfs/etc/tiny']);
    const bytes = Object.values(tally.dirs).reduce((a, b) => a + b, 0);
    const tree = sectionTree('getty', tally, bytes);
    expect(tree.bytes).toBe(bytes);
    checkSums(tree);
    // containers/services/getty is one box (nothing but one directory on the way), named after the section.
    expect(tree).toMatchObject({ name: 'getty: containers/services/getty', path: 'containers/services/getty' });
    expect(find(tree, 'containers/services/getty/rootfs/usr')?.bytes).toBe(100_140);
    // etc (340 bytes) is under 0.5% of the section: folded into rootfs's (other).
    const rootfs = find(tree, 'containers/services/getty/rootfs')!;
    expect(rootfs.children!.map((c) => c.name)).toEqual(['usr', OWN_FILES, OTHER]);
    expect(rootfs.children!.find((c) => c.name === OTHER)!.bytes).toBe(340);
  });

  it('the build totals are the sums of its sections', () => {
    const t = new Tally();
    t.add('a', 1000, false);
    const c = buildContents({
      compression: 'gzip',
      kernel: 5,
      sections: [
        { id: 'x', label: 'x', kind: 'init', bytes: 1000, compressed: 300, tally: t.result() },
        { id: 'trailer', label: 'cpio trailer', kind: 'trailer', bytes: 124, compressed: 30, tally: { dirs: { '': 124 }, largest: [] } },
      ],
    });
    expect(c.initramfs).toEqual({ bytes: 1124, compressed: 330 });
    expect(c.largest).toEqual([{ path: 'a', bytes: 1000, section: 'x' }]);
  });
});

describe('a build reports what its initramfs is made of (fixture images)', () => {
  const modules = tarBuffer([
    directory('lib'),
    directory('lib/modules'),
    directory('lib/modules/6.1.0'),
    directory('lib/modules/6.1.0/kernel'),
    entry('lib/modules/6.1.0/kernel/big.ko', Buffer.alloc(200_000, 1)),
    entry('lib/modules/6.1.0/modules.dep', 'dep\n'),
  ]);
  const images = async () =>
    memoryImages({
      'example/kernel:1': { entries: [entry('kernel', Buffer.alloc(4096, 7), 0o644), entry('kernel.tar', await modules)] },
      'example/init:1': { entries: [directory('bin'), entry('bin/busybox', Buffer.alloc(50_000, 2), 0o755), entry('init', '#!/bin/sh\n', 0o755)] },
      'example/runc:1': { entries: [directory('usr'), directory('usr/bin'), entry('usr/bin/runc', Buffer.alloc(80_000, 3), 0o755)] },
      'example/getty:1': { config: { Cmd: ['/usr/bin/getty'] }, entries: [directory('usr'), directory('usr/bin'), entry('usr/bin/getty', 'getty', 0o755)] },
    });
  const spec: Spec = {
    kernel: { image: 'example/kernel:1', cmdline: 'console=ttyS0' },
    init: ['example/init:1', 'example/runc:1'],
    services: [{ name: 'getty', image: 'example/getty:1' }],
    files: [{ path: 'etc/issue', contents: 'hello\n' }],
  };

  it('the sections add up to the initramfs, uncompressed and compressed; cached sections report the same', async () => {
    const cacheDir = join(dir, 'cache');
    const first = await build({ spec, images: await images(), outDir: join(dir, 'a'), name: 't', cacheDir });
    const initrd = await readFile(join(dir, 'a', 't-initrd.img'));
    const c = first.contents;
    expect(c.initramfs).toEqual({ bytes: gunzipSync(initrd).length, compressed: initrd.length });
    expect(c.sections.reduce((a, s) => a + s.bytes, 0)).toBe(gunzipSync(initrd).length);
    expect(c.kernel).toBe(4096);
    expect(c.sections.map((s) => s.kind)).toEqual(['kernel', 'init', 'init', 'container', 'files', 'sbom', 'trailer']);
    for (const s of c.sections) {
      expect(s.tree.bytes, s.id).toBe(s.bytes);
      checkSums(s.tree);
    }
    const kernel = c.sections[0]!;
    expect(kernel.image).toMatch(/^example\/kernel:1@sha256:[0-9a-f]{64}$/);
    expect(find(kernel.tree, 'lib/modules/6.1.0/kernel')!.bytes).toBeGreaterThan(200_000);
    expect(c.largest.slice(0, 3).map((f) => [f.path, f.section])).toEqual([
      ['lib/modules/6.1.0/kernel/big.ko', 'kernel'],
      ['usr/bin/runc', c.sections[2]!.id],
      ['bin/busybox', c.sections[1]!.id],
    ]);

    // Built again: every image section comes from the section cache, with the same tally.
    const second = await build({ spec, images: await images(), outDir: join(dir, 'b'), name: 't', cacheDir });
    expect(second.contents.sections.filter((s) => s.kind === 'kernel' || s.kind === 'init').every((s) => s.cached)).toBe(true);
    const strip = (x: typeof c) => ({ ...x, sections: x.sections.map(({ cached: _, ...s }) => s) });
    expect(strip(second.contents)).toEqual(strip(c));
  });
});
