import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FsEntry } from '../oci/entry';
import { ArchiveError } from '../oci/errors';
import { tarBuffer } from '../oci/tar';
import { makeImage, memorySource, type FilesSpec } from '../testing/image';
import { flattenImage, type FlattenOptions } from './flatten';
import { LimitError, UnpackBudget } from './safety';

interface Seen { path: string; type: string; mode: number; uid: number; gid: number; linkname?: string; data?: string }

async function flatten(layers: (FilesSpec | Buffer)[], opts: FlattenOptions = {}): Promise<Seen[]> {
  const img = await makeImage({ layers });
  const out: Seen[] = [];
  for await (const e of flattenImage(memorySource(img), opts)) out.push(await seen(e));
  return out;
}

async function seen(e: FsEntry): Promise<Seen> {
  const s: Seen = { path: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid };
  if (e.linkname !== undefined) s.linkname = e.linkname;
  if (e.type === 'file') {
    const chunks: Buffer[] = [];
    if (Buffer.isBuffer(e.content)) chunks.push(e.content);
    else if (e.content) for await (const c of e.content) chunks.push(c);
    s.data = Buffer.concat(chunks).toString();
  }
  return s;
}

const tree = (entries: Seen[]) => Object.fromEntries(entries.map((e) => [e.path, e.type === 'file' ? e.data : e.type === 'symlink' || e.type === 'hardlink' ? `${e.type}:${e.linkname}` : e.type]));

describe.each([true, false])('flattenImage: whiteouts (spill: %s)', (spill) => {
  it('removes whited-out files and directories and honours opaque directories', async () => {
    const got = tree(
      await flatten([
        { 'a/x': 'x', 'a/y': 'y', 'b/z': 'z', 'c/keep-me-not': 'lower', 'c/sub/deep': 'lower', f: 'f1' },
        { 'a/.wh.x': '', '.wh.b': '', 'c/.wh..wh..opq': '', 'c/new': 'upper', f: 'f2' },
      ], { spill }),
    );
    expect(got).toEqual({ a: 'dir', 'a/y': 'y', c: 'dir', 'c/new': 'upper', f: 'f2' });
  });

  it('an opaque marker hides lower layers only, not its own layer, and whiteouts can be re-added above', async () => {
    const got = tree(
      await flatten([
        { 'etc/old': 'old', 'etc/kept.d/x': 'x' },
        { 'etc/.wh..wh..opq': '', 'etc/new': 'new' },
        { 'etc/old': 'back' },
      ], { spill }),
    );
    expect(got).toEqual({ etc: 'dir', 'etc/new': 'new', 'etc/old': 'back' });
  });

  it('a directory replaced by a symlink or file hides everything under it', async () => {
    const got = tree(
      await flatten([
        { 'lib/a.so': 'a', 'lib/sub/b.so': 'b', 'bin/x': 'x' },
        { lib: { linkname: 'usr/lib' }, bin: 'now a file' },
      ], { spill }),
    );
    expect(got).toEqual({ lib: 'symlink:usr/lib', bin: 'now a file' });
  });
});

describe.each([true, false])('flattenImage: entries (onePass: %s)', (onePass) => {
  it('keeps modes, owners, symlinks and devices; makes missing parents; lists directories first, sorted', async () => {
    const raw = await tarBuffer([
      { path: 'usr/bin/su', type: 'file', mode: 0o4755, uid: 0, gid: 0, size: 2, content: Buffer.from('su') },
      { path: 'home/user', type: 'dir', mode: 0o700, uid: 1000, gid: 1000, size: 0 },
      { path: 'dev/console', type: 'char', mode: 0o600, uid: 0, gid: 5, size: 0, devmajor: 5, devminor: 1 },
      { path: 'bin/sh', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkname: '/bin/busybox' },
    ]);
    const got = await flatten([raw], { onePass });
    expect(got.map((e) => e.path)).toEqual(
      onePass
        ? ['usr', 'usr/bin', 'usr/bin/su', 'home', 'home/user', 'dev', 'dev/console', 'bin', 'bin/sh'] // tar order, parents made just in time
        : ['bin', 'dev', 'home', 'home/user', 'usr', 'usr/bin', 'usr/bin/su', 'dev/console', 'bin/sh'], // directories first, sorted
    );
    expect(got.find((e) => e.path === 'usr/bin/su')).toMatchObject({ mode: 0o4755, data: 'su' });
    expect(got.find((e) => e.path === 'home/user')).toMatchObject({ mode: 0o700, uid: 1000, gid: 1000 });
    expect(got.find((e) => e.path === 'usr')).toMatchObject({ type: 'dir', mode: 0o755, uid: 0 });
    expect(got.find((e) => e.path === 'bin/sh')).toMatchObject({ type: 'symlink', linkname: '/bin/busybox' });
  });

  it('strips leading "/" and "./" from names (relative to the image root, as Docker does)', async () => {
    const raw = await tarBuffer([
      { path: './', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 },
      { path: '/etc/abs', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, content: Buffer.from('1') },
      { path: './etc/rel', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, content: Buffer.from('2') },
    ]);
    expect(tree(await flatten([raw], { onePass }))).toEqual({ etc: 'dir', 'etc/abs': '1', 'etc/rel': '2' });
  });

  it('hard links point at their target; a link whose target was replaced above keeps the old content', async () => {
    const lower = await tarBuffer([
      { path: 'bin/busybox', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 3, content: Buffer.from('old') },
      { path: 'bin/ls', type: 'hardlink', mode: 0o755, uid: 0, gid: 0, size: 0, linkname: 'bin/busybox' },
      { path: 'bin/cat', type: 'hardlink', mode: 0o755, uid: 0, gid: 0, size: 0, linkname: '/bin/busybox' },
      { path: 'lib/x', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, content: Buffer.from('x') },
      { path: 'lib/y', type: 'hardlink', mode: 0o644, uid: 0, gid: 0, size: 0, linkname: 'lib/x' },
    ]);
    const upper = await tarBuffer([{ path: 'bin/busybox', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 3, content: Buffer.from('new') }]);
    const got = await flatten([lower, upper]);
    const t = tree(got);
    expect(t['bin/busybox']).toBe('new');
    expect(t['bin/ls']).toBe('old'); // promoted: a copy of the replaced target
    expect(t['bin/cat']).toBe('hardlink:bin/ls');
    expect(t['lib/y']).toBe('hardlink:lib/x');
    const order = got.map((e) => e.path);
    expect(order.indexOf('bin/ls')).toBeLessThan(order.indexOf('bin/cat'));
  });

  it('hard links within one layer point at the normalised target', async () => {
    const raw = await tarBuffer([
      { path: 'bin/busybox', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 2, content: Buffer.from('bb') },
      { path: 'bin/ls', type: 'hardlink', mode: 0o755, uid: 0, gid: 0, size: 0, linkname: './bin/busybox' },
    ]);
    expect(tree(await flatten([raw], { onePass }))).toEqual({ bin: 'dir', 'bin/busybox': 'bb', 'bin/ls': 'hardlink:bin/busybox' });
  });

  it('gives the same stream for the same image', async () => {
    const layers: FilesSpec[] = [{ 'a/b/c': '1', z: '2', 'm/n': '3' }, { 'a/.wh.b': '', q: '4' }];
    expect(await flatten(layers, { onePass })).toEqual(await flatten(layers, { onePass }));
    expect(await flatten([layers[0]!], { onePass })).toEqual(await flatten([layers[0]!], { onePass }));
  });
});

describe.each([true, false])('flattenImage: hostile layers (onePass: %s)', (onePass) => {
  const expectArchiveError = async (p: Promise<unknown>, re: RegExp) => {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(ArchiveError);
    expect((e as ArchiveError).message).toMatch(re);
    return e as ArchiveError;
  };

  it('refuses path traversal and names the layer and entry', async () => {
    const raw = await tarBuffer([{ path: 'etc/../../outside', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, content: Buffer.from('x') }]);
    const img = await makeImage({ layers: [raw] });
    const e = await expectArchiveError(flatten([raw], { onePass }), /path traversal/);
    expect(e.entry).toBe('etc/../../outside');
    expect(e.layerDigest).toBe(img.manifest.layers[0]!.digest);
  });

  it('refuses hard links that leave the root or point nowhere', async () => {
    const out = await tarBuffer([{ path: 'pw', type: 'hardlink', mode: 0o644, uid: 0, gid: 0, size: 0, linkname: '../../etc/passwd' }]);
    await expectArchiveError(flatten([out], { onePass }), /path traversal/);
    const none = await tarBuffer([{ path: 'pw', type: 'hardlink', mode: 0o644, uid: 0, gid: 0, size: 0, linkname: 'etc/passwd' }]);
    await expectArchiveError(flatten([none], { onePass }), /no earlier entry/);
  });

  it('refuses entries under a symlink in the same layer', async () => {
    const raw = await tarBuffer([
      { path: 'evil', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkname: '/etc' },
      { path: 'evil/passwd', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, content: Buffer.from('x') },
    ]);
    await expectArchiveError(flatten([raw], { onePass }), /not a directory/);
  });

  const expectLimit = async (p: Promise<unknown>, limit: string, re: RegExp) => {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).limit).toBe(limit);
    expect((e as LimitError).message).toMatch(re);
    return e as LimitError;
  };

  it('stops a decompression bomb at the byte limit', async () => {
    const zeros = await tarBuffer([{ path: 'bomb', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 64 << 20, content: Buffer.alloc(64 << 20) }]);
    expect(gzipSync(zeros).length).toBeLessThan(200_000);
    const e = await expectLimit(flatten([zeros], { maxBytes: 16 << 20, onePass }), 'image-bytes', /decompresses to more than 16777216 bytes \(the limit per image/);
    expect(e.max).toBe(16 << 20);
  });

  it('stops at the entry limit', async () => {
    const files: FilesSpec = {};
    for (let i = 0; i < 50; i++) files[`f${i}`] = '';
    await expectLimit(flatten([files], { maxEntries: 20, onePass }), 'image-entries', /more than 20 entries/);
  });

  it('counts the decompressed bytes of every image of a build against one budget', async () => {
    const mib = (n: number) => ({ blob: Buffer.alloc(n << 20, 1) });
    const budget = new UnpackBudget(10 << 20);
    await flatten([mib(4)], { budget, onePass });
    await flatten([mib(4)], { budget, onePass }); // 8 MiB and a few headers: still within
    expect(budget.used).toBeGreaterThan(8 << 20);
    await expectLimit(flatten([mib(4)], { budget, onePass }), 'build-bytes', /images of this build decompress to more than 10485760 bytes/);
  });

  it('stops between chunks once the signal is aborted, with its reason', async () => {
    const big = await tarBuffer([{ path: 'big', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 32 << 20, content: Buffer.alloc(32 << 20) }]);
    const ac = new AbortController();
    const reason = new Error('stop now');
    let n = 0;
    const drain = async () => {
      for await (const e of flattenImage(memorySource(await makeImage({ layers: [big, { x: '1' }] })), { signal: ac.signal, onePass })) {
        if (++n === 1) ac.abort(reason);
        if (e.content && !Buffer.isBuffer(e.content)) for await (const c of e.content) void c;
      }
    };
    await expect(drain()).rejects.toBe(reason);
  });

  it('refuses a layer whose content does not match its digest', async () => {
    const img = await makeImage({ files: { 'etc/motd': 'hello' } });
    const src = memorySource(img);
    const d = img.manifest.layers[0]!.digest;
    const other = await makeImage({ files: { 'etc/motd': 'evil!' } });
    img.blobs.set(d, other.blobs.get(other.manifest.layers[0]!.digest)!);
    const drain = async () => {
      for await (const e of flattenImage(src, { onePass })) if (e.content && !Buffer.isBuffer(e.content)) for await (const c of e.content) void c;
    };
    await expectArchiveError(drain(), /not the digest its manifest names/);
  });
});

describe('flattenImage: layer compression', () => {
  it('reads zstd and uncompressed layers', async () => {
    const tar = await tarBuffer([{ path: 'z/file', type: 'file', mode: 0o600, uid: 0, gid: 0, size: 4, content: Buffer.from('zstd') }]);
    const zst = execFileSync('zstd', ['-q', '-c'], { input: tar });
    const plain = await tarBuffer([{ path: 'p', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 5, content: Buffer.from('plain') }]);
    const digest = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    const blobs = new Map([[digest(zst), zst], [digest(plain), plain]]);
    const src = {
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: digest(zst), size: zst.length },
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digest(plain), size: plain.length },
      ],
      async openBlob(d: string) {
        return [blobs.get(d)!];
      },
    } as unknown as Parameters<typeof flattenImage>[0];
    const out: Seen[] = [];
    for await (const e of flattenImage(src)) out.push(await seen(e));
    expect(tree(out)).toEqual({ z: 'dir', 'z/file': 'zstd', p: 'plain' });
  });
});

describe('flattenImage: spill files', () => {
  it('are removed when the stream ends or the consumer stops early', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spill-test-'));
    const img = await makeImage({ layers: [{ a: '1', b: '2' }, { c: '3' }] });
    for await (const e of flattenImage(memorySource(img), { tmpDir: dir })) void e;
    expect(readdirSync(dir)).toEqual([]);
    for await (const e of flattenImage(memorySource(img), { tmpDir: dir })) {
      expect(readdirSync(dir)).toHaveLength(1); // in use while streaming
      void e;
      break;
    }
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true });
  });
});
