import { afterAll, describe, expect, it } from 'vitest';
import { writeImage } from '../oci/layout';
import { tarBuffer } from '../oci/tar';
import { makeImage } from './image';
import { startRegistry, type TestRegistry } from '@oscompose/queue/testing';
import { pushImage } from './registry';
import { tempDirs } from './tmp';

const dirs = tempDirs('push-layout-');
const tmp = dirs.make;
afterAll(dirs.cleanup);

const started: TestRegistry[] = [];
afterAll(async () => {
  for (const r of started) await r.stop();
});

describe.each(['none', 'basic', 'token'] as const)('startRegistry(auth: %s) + pushImage', (auth) => {
  it('pushes an image that the registry then serves by tag', async () => {
    const reg = await startRegistry({ auth });
    started.push(reg);
    const img = await makeImage({ files: { 'etc/motd': 'hello\n' }, config: { Cmd: ['/bin/true'] } });
    const digest = await pushImage(reg.host, `${reg.host}/test/motd:v1`, img, { username: reg.username, password: reg.password });
    expect(digest).toBe(img.digest);
    const anon = await fetch(`${reg.url}/v2/test/motd/manifests/v1`, { headers: { accept: img.manifest.mediaType! } });
    if (auth === 'none') {
      expect(anon.status).toBe(200);
      expect(anon.headers.get('docker-content-digest')).toBe(img.digest);
    } else {
      expect(anon.status).toBe(401);
    }
  });
});

describe('pushImage from an OCI layout directory', () => {
  it('pushes the image named by the reference', async () => {
    const reg = await startRegistry();
    started.push(reg);
    const dir = tmp();
    const layer = await tarBuffer([{ path: 'x', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, content: Buffer.from('x') }]);
    await writeImage(dir, { ref: 'localhost:5000/oscompose/other:1', layers: [layer] });
    const w = await writeImage(dir, { ref: 'localhost:5000/oscompose/x:1', layers: [layer], config: { Cmd: ['x'] } });
    const digest = await pushImage(reg.host, `${reg.host}/oscompose/x:1`, dir).catch((e: Error) => e);
    // The layout names it localhost:5000/…; a push to another host finds it only by that name.
    expect(digest).toBeInstanceOf(Error);
    expect(await pushImage(reg.host, 'localhost:5000/oscompose/x:1', dir)).toBe(w.digest);
    const res = await fetch(`${reg.url}/v2/oscompose/x/manifests/1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(res.headers.get('docker-content-digest')).toBe(w.digest);
  });
});
