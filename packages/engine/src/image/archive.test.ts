// importArchive against hostile archives: nothing it reads is placed by its archive name, and an
// archive no image tool would write (escaping names or links, members under a symlink, huge
// declared sizes, a gzip bomb, too many members) is refused with an error that says which.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobCache } from '../cache/blob-cache';
import type { FsEntry } from '../oci/entry';
import { ArchiveError } from '../oci/errors';
import { tarBuffer } from '../oci/tar';
import { makeImage } from '../testing/image';
import { importArchive } from './archive';
import { LimitError } from './safety';

const root = mkdtempSync(join(tmpdir(), 'archive-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const file = (path: string, content: Buffer | string): FsEntry => {
  const b = Buffer.from(content);
  return { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: b.length, content: b };
};
const link = (path: string, type: 'symlink' | 'hardlink', linkname: string): FsEntry => ({ path, type, mode: 0o777, uid: 0, gid: 0, size: 0, linkname });

/** A `docker save` tarball of a one-layer image; `extra` members come first. */
async function dockerSave(extra: FsEntry[] = [], layerAsLink = false): Promise<FsEntry[]> {
  const img = await makeImage({ files: { 'bin/x': 'x' } });
  const layer = img.layerTars[0]!;
  const entries: FsEntry[] = [
    ...extra,
    file('config.json', img.configBytes),
    file('aaa/layer.tar', layer),
    ...(layerAsLink ? [link('bbb/layer.tar', 'symlink', '../aaa/layer.tar')] : []),
    file('manifest.json', JSON.stringify([{ Config: 'config.json', RepoTags: ['example.test/x:1'], Layers: [layerAsLink ? 'bbb/layer.tar' : 'aaa/layer.tar'] }])),
  ];
  return entries;
}

async function run(archive: Buffer, opts: Parameters<typeof importArchive>[2] = {}) {
  const dir = join(root, `case-${n++}`);
  const file = `${dir}.tar`;
  writeFileSync(file, archive);
  const cache = new BlobCache(join(dir, 'store'));
  await cache.init();
  const result: { images?: Awaited<ReturnType<typeof importArchive>>; error?: Error } = await importArchive(file, cache, { name: 'the upload', ...opts }).then(
    (images) => ({ images }),
    (error: unknown) => ({ error: error as Error }),
  );
  return { ...result, store: join(dir, 'store') };
}

/** A tar whose first member declares `size` bytes (the header is all an attacker must send). */
function declaring(tar: Buffer, size: number): Buffer {
  const h = Buffer.from(tar);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 12, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i]!;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return h;
}

describe('importArchive: hostile archives', () => {
  it('imports docker save archives whose layer is a link to an identical one (inside the archive)', async () => {
    const r = await run(await tarBuffer(await dockerSave([], true)));
    expect(r.error).toBeUndefined();
    expect(r.images?.map((i) => i.reference)).toEqual(['example.test/x:1']);
  });

  it.each([
    ['a `..` member', [file('../../outside', 'x')], /path traversal/],
    ['an absolute member', [file('/etc/cron.d/evil', 'x')], /member name "\/etc\/cron.d\/evil" is absolute/],
    ['a symlink out of the archive', [link('blobs', 'symlink', '../../etc')], /link "blobs" points outside the archive/],
    ['an absolute symlink', [link('evil', 'symlink', '/etc/passwd')], /symlink "evil" points to the absolute path "\/etc\/passwd"/],
    ['a hard link out of the archive', [link('pw', 'hardlink', '../etc/passwd')], /link "pw" points outside the archive/],
    ['a write through a symlink', [link('d', 'symlink', 'aaa'), file('d/evil', 'x')], /"d\/evil" is inside "d", which is a link/],
  ])('refuses %s', async (_what, extra, message) => {
    const r = await run(await tarBuffer(await dockerSave(extra as FsEntry[])));
    expect(r.error).toBeInstanceOf(ArchiveError);
    expect(r.error!.message).toMatch(message);
    expect(r.error!.message).not.toMatch(new RegExp(root)); // the server's paths are not shown
  });

  it('refuses a member by its declared size, before reading it', async () => {
    const tar = declaring(await tarBuffer([file('blob', '')]), 7 * 2 ** 30);
    const r = await run(Buffer.concat([tar.subarray(0, 512)]), { maxBlobBytes: 1 << 20 });
    expect(r.error).toBeInstanceOf(LimitError);
    expect((r.error as LimitError).limit).toBe('archive-bytes');
    expect(r.error!.message).toBe('the upload: member "blob" declares 7516192768 bytes, more than the 1048576-byte limit per blob');
  });

  it('stops a gzip bomb at the decompressed limit and keeps nothing half-written', async () => {
    const members = Array.from({ length: 40 }, (_, i) => file(`zeros/${i}`, Buffer.alloc(1 << 20)));
    const bomb = gzipSync(await tarBuffer(members));
    expect(bomb.length).toBeLessThan(200_000);
    const r = await run(bomb, { maxBytes: 16 << 20 });
    expect(r.error).toBeInstanceOf(LimitError);
    expect(r.error!.message).toBe('the upload: the archive decompresses to more than 16777216 bytes (a gzip bomb, or an archive too large for this server)');
    expect(readdirSync(join(r.store, 'blobs', 'sha256')).filter((f) => f.startsWith('.tmp'))).toEqual([]);
  });

  it('stops at the member limit, and says what is wrong with something that is not a tar', async () => {
    const many = await tarBuffer(Array.from({ length: 30 }, (_, i) => file(`f${i}`, '')));
    const r = await run(many, { maxMembers: 20 });
    expect((r.error as LimitError).limit).toBe('archive-entries');
    const junk = await run(gzipSync(Buffer.from('not a tar at all')).subarray(0, 20));
    expect(junk.error).toBeInstanceOf(ArchiveError);
    expect(junk.error!.message).toMatch(/cannot read the archive/);
  });
});
