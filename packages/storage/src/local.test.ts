import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from './local';
import { artifactKey } from './types';

let dir: string;
let store: LocalArtifactStore;
const content = 'kernel bytes 0123456789';
const sha = createHash('sha256').update(content).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-store-'));
  store = new LocalArtifactStore(path.join(dir, 'artifacts'));
  await writeFile(path.join(dir, 'src'), content);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('LocalArtifactStore', () => {
  it('publishes with size and sha256, reads whole and by range', async () => {
    const key = artifactKey('b1', 'linuxkit-kernel');
    expect(await store.put(key, path.join(dir, 'src'))).toEqual({ key, size: content.length, sha256: sha });
    expect(await store.stat(key)).toMatchObject({ size: content.length });
    expect(await text(await store.read(key))).toBe(content);
    expect(await text(await store.read(key, { start: 7, end: 11 }))).toBe('bytes');
    expect((await store.list('builds/b1')).map((o) => o.key)).toEqual([key]);
  });

  it('re-publishing a key replaces it and leaves no temp files', async () => {
    const key = artifactKey('b2', 'x.tar');
    await store.put(key, path.join(dir, 'src'));
    await store.put(key, path.join(dir, 'src'));
    expect(await store.list('builds/b2')).toHaveLength(1);
    expect(await readdir(path.join(dir, 'artifacts', '.incoming'))).toEqual([]);
  });

  it('refuses a content that does not match the expected sha256, publishing nothing', async () => {
    const key = artifactKey('b3', 'x');
    await expect(store.put(key, path.join(dir, 'src'), { expectSha256: 'f'.repeat(64) })).rejects.toThrow(/sha256/);
    expect(await store.stat(key)).toBeNull();
  });

  it('refuses keys that could escape the store', async () => {
    await expect(store.put('../evil', path.join(dir, 'src'))).rejects.toThrow(/Bad artifact key/);
    expect(() => artifactKey('b1', '../../x')).toThrow();
  });

  it('delete is idempotent', async () => {
    await store.delete(['builds/b1/linuxkit-kernel', 'builds/none/x']);
    expect(await store.stat('builds/b1/linuxkit-kernel')).toBeNull();
    await expect(store.read('builds/b1/linuxkit-kernel')).rejects.toThrow(/not in the store/);
  });
});
