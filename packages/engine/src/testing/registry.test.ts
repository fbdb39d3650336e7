import { afterAll, describe, expect, it } from 'vitest';
import { makeImage } from './image';
import { pushImage, startRegistry, type TestRegistry } from './registry';

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
