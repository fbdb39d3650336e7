// S3ArtifactStore against a real S3-compatible HTTP server (s3rver): put with the content's
// sha256 as payload hash, stat, ranged reads, list, delete. s3rver checks the access key but not
// SigV4 signatures; the signer itself is checked against AWS's documented example (sigv4.test.ts).
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { S3ArtifactStore } from './s3';

let dir: string;
let server: { run(): Promise<{ port: number }>; close(): Promise<void> };
let store: S3ArtifactStore;
const content = 'iso bytes 0123456789 '.repeat(1000);
const sha = createHash('sha256').update(content).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oscompose-s3-'));
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(dir, 's3'), configureBuckets: [{ name: 'artifacts' }] });
  const { port } = await server.run();
  const make = (accessKeyId: string) =>
    new S3ArtifactStore({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', bucket: 'artifacts', prefix: 'osc', credentials: { accessKeyId, secretAccessKey: 'S3RVER' } });
  store = make('S3RVER');
  await writeFile(path.join(dir, 'src'), content);
  (globalThis as { badStore?: S3ArtifactStore }).badStore = make('NOT-A-KEY');
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('S3ArtifactStore (s3rver)', () => {
  it('publishes, stats with the sha256 metadata, reads whole and by range, lists and deletes', async () => {
    const key = 'builds/b1/os.iso';
    expect(await store.put(key, path.join(dir, 'src'))).toEqual({ key, size: content.length, sha256: sha });
    expect(await store.stat(key)).toEqual({ key, size: content.length, sha256: sha });
    expect(await text(await store.read(key))).toBe(content);
    expect(await text(await store.read(key, { start: 4, end: 8 }))).toBe('bytes');
    expect(await store.list('builds/b1')).toEqual([{ key, size: content.length }]);
    await store.delete([key, 'builds/b1/absent']);
    expect(await store.stat(key)).toBeNull();
    await expect(store.read(key)).rejects.toThrow(/not in the bucket/);
  });

  it('reports a refused credential with the status, publishing nothing', async () => {
    const bad = (globalThis as { badStore?: S3ArtifactStore }).badStore!;
    await expect(bad.put('builds/b2/x', path.join(dir, 'src'))).rejects.toThrow(/403/);
    expect(await store.stat('builds/b2/x')).toBeNull();
  });
});
