// build() through the real image path: images written by code into an OCI image layout (the image
// store) and pushed to a real registry (Debian's docker-registry on 127.0.0.1), resolved, fetched,
// flattened (whiteouts included) and laid out; the initramfs is unpacked with GNU cpio and the
// tree checked as a user would (paths, modes, owners, config.json).
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Spec } from '@oscompose/spec';
import { build } from './build';
import { defaultImageProvider } from './inputs';
import { directory, entry } from './testing/memory-images';
import { writeImage } from './oci/layout';
import { tarBuffer } from './oci/tar';
import { makeImage } from './testing/image';
import { pushImage } from './testing/registry';
import { startRegistry, type TestRegistry } from '@oscompose/queue/testing';

let dir: string;
let store: string;
let registry: TestRegistry;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oscompose-build-int-'));
  store = join(dir, 'store');
  const kernelTar = await tarBuffer([directory('lib'), directory('lib/modules'), entry('lib/modules/dep', 'd\n')]);
  await writeImage(store, { ref: 'localhost:5000/test/kernel:1', layers: [await tarBuffer([entry('kernel', Buffer.alloc(1024, 1)), entry('kernel.tar', kernelTar)])] });
  await writeImage(store, {
    ref: 'localhost:5000/test/init:1',
    layers: [
      await tarBuffer([directory('bin'), entry('bin/busybox', 'bb', 0o755), directory('etc'), directory('etc/old'), entry('etc/old/gone', 'x'), entry('init', 'i', 0o755)]),
      // second layer: an opaque directory and a whiteout
      await tarBuffer([directory('etc'), directory('etc/old'), entry('etc/old/.wh..wh..opq', ''), entry('etc/old/new', 'n'), entry('.wh.init', '')]),
    ],
  });
  registry = await startRegistry();
  const svc = await makeImage({ files: { 'usr/bin/svc': { content: 'svc', mode: 0o755, uid: 1000, gid: 1000 } }, config: { Cmd: ['/usr/bin/svc'], Env: ['A=b'] }, labels: { 'org.mobyproject.config': '{"pid":"host","binds":["/var:/var"]}' } });
  await pushImage(registry.host, 'test/svc:1', svc);
});

afterAll(async () => {
  await registry?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('build from an image store and a registry', () => {
  it('builds kernel+initrd whose unpacked tree is the LinuxKit layout', async () => {
    const spec: Spec = {
      kernel: { image: 'localhost:5000/test/kernel:1', cmdline: 'console=ttyS0' },
      init: ['localhost:5000/test/init:1'],
      services: [{ name: 'svc', image: `${registry.host}/test/svc:1` }],
      files: [{ path: 'etc/hello', contents: 'hi', mode: '0640', gid: 'svc' }],
    };
    const cacheDir = join(dir, 'cache');
    const images = await defaultImageProvider({ cacheDir, imageStores: [store], pull: false, arch: 'amd64', insecureRegistries: [], signal: undefined });
    const res = await build({ spec, images, outDir: join(dir, 'out'), name: 'it', cacheDir });
    expect(res.resolved.services![0]!.image).toMatch(new RegExp(`^${registry.host}/test/svc:1@sha256:[0-9a-f]{64}$`));

    const root = join(dir, 'root');
    mkdirSync(root);
    execFileSync('sh', ['-c', `zcat "$1" | cpio -idm --quiet --no-absolute-filenames`, 'sh', join(dir, 'out', 'it-initrd.img')], { cwd: root });
    const mode = (p: string) => (lstatSync(join(root, p)).mode & 0o7777).toString(8);
    expect(readFileSync(join(root, 'lib/modules/dep'), 'utf8')).toBe('d\n');
    expect(readFileSync(join(root, 'etc/old/new'), 'utf8')).toBe('n');
    expect(() => lstatSync(join(root, 'etc/old/gone'))).toThrow(); // opaque directory honoured
    expect(() => lstatSync(join(root, 'init'))).toThrow(); // whiteout honoured
    expect(readlinkSync(join(root, 'etc/resolv.conf'))).toBe('/run/resolvconf/resolv.conf');
    const svc = 'containers/services/svc';
    expect(mode(`${svc}/lower/usr/bin/svc`)).toBe('755');
    expect(lstatSync(join(root, `${svc}/lower/usr/bin/svc`)).uid).toBe(1000);
    expect(mode(`${svc}/config.json`)).toBe('644');
    const cfg = JSON.parse(readFileSync(join(root, `${svc}/config.json`), 'utf8'));
    expect(cfg.process.args).toEqual(['/usr/bin/svc']);
    expect(cfg.process.env).toEqual(['A=b']);
    expect(cfg.linux.namespaces).toEqual([{ type: 'mount' }]);
    expect(cfg.mounts.find((m: { destination: string }) => m.destination === '/var')).toEqual({ destination: '/var', type: 'bind', source: '/var', options: ['rw', 'rbind', 'rshared'] });
    expect(mode('etc/hello')).toBe('640');
    expect(lstatSync(join(root, 'etc/hello')).gid).toBe(100);
    expect(readFileSync(join(dir, 'out', 'it-cmdline'), 'utf8')).toBe('console=ttyS0');
  });
});
