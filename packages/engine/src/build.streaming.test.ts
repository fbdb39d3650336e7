// Bounded memory: file contents stream from the image layer to the outputs. These tests pin the
// bytes a build writes (golden digests taken before contents were streamed, so streaming changed
// no byte) for a fixture with files far larger than a compression member, several layers
// (spilled between the two flatten passes), two init images (apk databases merged), hard links
// kept, gzip and zstd; and they check that a layer over the decompression limit is refused while
// it streams, with a message naming the image and the layer.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Spec } from '@oscompose/spec';
import { build } from './build';
import { flattenImage } from './image/flatten';
import { LimitError } from './image/safety';
import type { FsEntry } from './oci/entry';
import { writeImage } from './oci/layout';
import { tarBuffer } from './oci/tar';
import { MediaType } from './oci/types';
import { directory, entry } from './testing/memory-images';

const MiB = 1024 * 1024;

/** Incompressible but reproducible bytes (xorshift32). */
function noise(bytes: number, seed: number): Buffer {
  const words = new Uint32Array(Math.ceil(bytes / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return Buffer.from(words.buffer, 0, bytes);
}

const hardlink = (path: string, target: string): FsEntry => ({ path, type: 'hardlink', mode: 0o755, uid: 0, gid: 0, size: 0, linkname: target });

let dir: string;
let store: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oscompose-streaming-test-'));
  store = join(dir, 'store');
  const modules = await tarBuffer([directory('lib'), directory('lib/modules'), directory('lib/modules/6.1.0'), entry('lib/modules/6.1.0/big.ko', noise(3 * MiB, 3)), entry('lib/modules/6.1.0/modules.dep', 'dep\n')]);
  await writeImage(store, { ref: 'localhost/stream/kernel:1', layers: [await tarBuffer([entry('kernel', noise(256 * 1024, 1), 0o644), entry('kernel.tar', modules), entry('boot/ucode.cpio', noise(4096, 2))])] });
  const apk = (name: string) => `P:${name}\nV:1.0\n`;
  await writeImage(store, {
    ref: 'localhost/stream/init:1',
    layers: [await tarBuffer([directory('bin'), entry('bin/busybox', noise(1.5 * MiB, 4), 0o755), hardlink('bin/sh', 'bin/busybox'), directory('lib'), directory('lib/apk'), directory('lib/apk/db'), entry('lib/apk/db/installed', apk('busybox')), entry('init', '#!/bin/sh\n', 0o755)])],
  });
  await writeImage(store, { ref: 'localhost/stream/runc:1', layers: [await tarBuffer([directory('usr'), directory('usr/bin'), entry('usr/bin/runc', noise(MiB, 5), 0o755), directory('lib'), directory('lib/apk'), directory('lib/apk/db'), entry('lib/apk/db/installed', apk('runc'))])] });
  // Two layers: the upper one replaces a file and deletes another (pass 1 spills both layers).
  await writeImage(store, {
    ref: 'localhost/stream/big:1',
    config: { Cmd: ['/big'] },
    layers: [
      await tarBuffer([directory('data'), entry('data/old', 'old'), entry('data/gone', 'gone'), entry('data/zeros', Buffer.alloc(6 * MiB))]),
      await tarBuffer([directory('data'), entry('data/old', 'new'), entry('data/.wh.gone', ''), entry('data/noise', noise(10 * MiB + 3, 6)), entry('big', '#!/bin/sh\n', 0o755)]),
    ],
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const spec: Spec = {
  kernel: { image: 'localhost/stream/kernel:1', cmdline: 'console=ttyS0', ucode: 'boot/ucode.cpio' },
  init: ['localhost/stream/init:1', 'localhost/stream/runc:1'],
  services: [{ name: 'big', image: 'localhost/stream/big:1' }],
  files: [{ path: 'etc/issue', contents: 'hello\n' }, { path: 'etc/big', contents: 'x'.repeat(3 * MiB) }],
};

async function digests(opts: Partial<Parameters<typeof build>[0]>, label: string): Promise<Record<string, string>> {
  // No SBOM: the golden digests predate it (the SBOM streams like any other section).
  const res = await build({ spec, imageStores: [store], outDir: join(dir, label), name: 's', cacheDir: join(dir, `cache-${label}`), sbom: false, ...opts });
  return Object.fromEntries(res.artifacts.map((a) => [a.name, a.sha256.slice(0, 16)]));
}

describe('builds with contents streamed (golden digests from before streaming)', () => {
  it('with an SBOM, the same bytes from the section cache as without it', async () => {
    const a = await digests({ sbom: 'sbom.spdx.json', formats: ['kernel+initrd', 'tar'] }, 'sbom');
    expect(await digests({ sbom: 'sbom.spdx.json', formats: ['kernel+initrd', 'tar'], cacheDir: join(dir, 'cache-sbom') }, 'sbom-again')).toEqual(a);
    expect(await digests({ sbom: 'sbom.spdx.json', formats: ['kernel+initrd', 'tar'], sectionCache: false }, 'sbom-nocache')).toEqual(a);
    expect(a['s-initrd.img']).not.toBe(GOLDEN.gzip['s-initrd.img']);
  });

  it('kernel+initrd, tar and tar-kernel-initrd with gzip, and the same again from the section cache', async () => {
    const golden = GOLDEN.gzip;
    expect(await digests({ formats: ['kernel+initrd', 'tar', 'tar-kernel-initrd'] }, 'gzip')).toEqual(golden);
    expect(await digests({ formats: ['kernel+initrd', 'tar', 'tar-kernel-initrd'], cacheDir: join(dir, 'cache-gzip') }, 'gzip-again')).toEqual(golden);
  });

  it('zstd, and hard links kept', async () => {
    expect(await digests({ compression: 'zstd' }, 'zstd')).toEqual(GOLDEN.zstd);
    expect(await digests({ hardlinks: 'keep' }, 'keep')).toEqual(GOLDEN.keep);
  });
});

describe('the decompression limit', () => {
  it('refuses a build whose layer decompresses past the limit, naming the image and the layer', async () => {
    const bomb = await writeImage(store, { ref: 'localhost/stream/bomb:1', layers: [await tarBuffer([entry('zeros', Buffer.alloc(64 * MiB))])] });
    const layer = bomb.manifest.layers[0]!.digest;
    const s: Spec = { ...spec, services: [{ name: 'bomb', image: 'localhost/stream/bomb:1' }] };
    const err = await build({ spec: s, imageStores: [store], outDir: join(dir, 'bomb'), name: 'b', cacheDir: join(dir, 'cache-bomb'), limits: { maxImageBytes: 16 * MiB } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitError);
    expect((err as LimitError).limit).toBe('image-bytes');
    expect((err as Error).message).toContain('image localhost/stream/bomb:1');
    expect((err as Error).message).toContain(`layer ${layer}`);
    expect((err as Error).message).toMatch(/decompresses to more than 16777216 bytes/);
  });

  it('stops reading the layer as soon as it crosses the limit, not at its end', async () => {
    const tar = await tarBuffer([entry('zeros', Buffer.alloc(256 * MiB))]);
    const blob = gzipSync(tar, { level: 9 });
    let read = 0;
    const source = {
      name: 'example/bomb:1',
      layers: [{ mediaType: MediaType.ociLayerGzip, digest: `sha256:${createHash('sha256').update(blob).digest('hex')}`, size: blob.length }],
      async openBlob() {
        return (async function* () {
          for (let i = 0; i < blob.length; i += 1024) {
            read += Math.min(1024, blob.length - i);
            yield blob.subarray(i, i + 1024);
          }
        })();
      },
    };
    const drain = async () => {
      for await (const e of flattenImage(source, { maxBytes: 8 * MiB })) for await (const _ of (e.content as AsyncIterable<Buffer>) ?? []) void _;
    };
    await expect(drain()).rejects.toThrow(/image example\/bomb:1, layer sha256:[0-9a-f]{64}: the image decompresses to more than 8388608 bytes/);
    // 8 MiB of 256 decompressed: a few percent of the blob was read, not all of it.
    expect(read).toBeLessThan(blob.length / 4);
  });
});

const GOLDEN: Record<'gzip' | 'zstd' | 'keep', Record<string, string>> = {
  gzip: { 's-kernel': '2fba9895600d2cf4', 's-initrd.img': 'ec07d9a60e794748', 's-cmdline': '2b98586d9905a605', 's.tar': '5d4ff9d1e159e8f0', 's-initrd.tar': 'bed02f23eb645fbb' },
  zstd: { 's-kernel': '2fba9895600d2cf4', 's-initrd.img': '48f51b8b0033bb32', 's-cmdline': '2b98586d9905a605' },
  keep: { 's-kernel': '2fba9895600d2cf4', 's-initrd.img': 'de4c1527b1d2cf6e', 's-cmdline': '2b98586d9905a605' },
};
