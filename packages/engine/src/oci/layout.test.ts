import { readFileSync, existsSync } from 'node:fs';

import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { findInLayout, readBlob, readIndex, writeImage } from './layout';
import { tarBuffer } from './tar';
import { normaliseReference } from './reference';
import type { ImageConfig, ImageManifest } from './types';
import { tempDirs } from '../testing/tmp';

const dirs = tempDirs('layout-');
const tmp = dirs.make;
afterAll(dirs.cleanup);

const layer = () => tarBuffer([{ path: 'hello', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 3, content: Buffer.from('hi\n') }]);

describe('OCI image layout', () => {
  it('writes a valid layout with the normalised reference and reads it back', async () => {
    const dir = tmp();
    const img = await writeImage(dir, { ref: 'alpine', config: { Cmd: ['/bin/sh'] }, labels: { 'org.mobyproject.config': '{"pid":"host"}' }, layers: [await layer()] });
    expect(img.reference).toBe('docker.io/library/alpine:latest');
    expect(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = await readIndex(dir);
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]!.annotations!['org.opencontainers.image.ref.name']).toBe('docker.io/library/alpine:latest');
    const desc = await findInLayout(dir, 'docker.io/library/alpine');
    expect(desc?.digest).toBe(img.digest);
    const manifest = JSON.parse((await readBlob(dir, img.digest)).toString()) as ImageManifest;
    const config = JSON.parse((await readBlob(dir, manifest.config.digest)).toString()) as ImageConfig;
    expect(config.config?.Labels?.['org.mobyproject.config']).toBe('{"pid":"host"}');
    expect(config.rootfs.diff_ids).toHaveLength(1);
    const gz = await readBlob(dir, manifest.layers[0]!.digest);
    expect(gunzipSync(gz).equals(await layer())).toBe(true);
    expect(await findInLayout(dir, 'alpine:3.19')).toBeUndefined();
  });

  it('is deterministic and replaces an image of the same name', async () => {
    const a = tmp();
    const b = tmp();
    const opts = async () => ({ ref: 'localhost:5000/oscompose/init:v1', config: { Env: ['A=1'] }, layers: [await layer(), await layer()] });
    const x = await writeImage(a, await opts());
    const y = await writeImage(b, await opts());
    expect(x.digest).toBe(y.digest);
    await writeImage(a, { ...(await opts()), config: { Env: ['A=2'] } });
    await writeImage(a, { ...(await opts()), ref: 'localhost:5000/oscompose/other:v1' });
    const index = await readIndex(a);
    expect(index.manifests).toHaveLength(2);
    expect((await findInLayout(a, 'localhost:5000/oscompose/init:v1'))?.digest).not.toBe(x.digest);
    expect(existsSync(join(a, '.index.lock'))).toBe(false);
  });

  it('concurrent writers do not lose index entries', async () => {
    const dir = tmp();
    const l = await layer();
    await Promise.all(Array.from({ length: 8 }, (_, i) => writeImage(dir, { ref: `localhost:5000/img${i}:t`, layers: [l] })));
    expect((await readIndex(dir)).manifests).toHaveLength(8);
  });
});

describe('normaliseReference', () => {
  it('expands Docker Hub names and keeps registries with ports', () => {
    expect(normaliseReference('alpine').name).toBe('docker.io/library/alpine:latest');
    expect(normaliseReference('linuxkit/init:v1').name).toBe('docker.io/linuxkit/init:v1');
    expect(normaliseReference('localhost:5000/a/b').name).toBe('localhost:5000/a/b:latest');
    const d = 'sha256:' + 'a'.repeat(64);
    expect(normaliseReference(`busybox@${d}`)).toMatchObject({ registry: 'docker.io', repository: 'library/busybox', digest: d, name: `docker.io/library/busybox@${d}` });
    expect(() => normaliseReference('Bad/Name')).toThrow();
  });
});
