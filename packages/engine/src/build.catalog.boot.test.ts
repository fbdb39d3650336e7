// The "done when" check: `oscompose build -f kernel+initrd` of a spec with kernel, init, onboot,
// services and files, made from the starter catalog's real images (Debian kernel, our init, runc,
// busybox containers) in the image store, boots in QEMU and every onboot container exits 0.
// Cross-package on purpose (catalog images in, bootcheck verdict out), in this test only.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootCheck } from '@oscompose/bootcheck';
import { buildStarterCatalog } from '@oscompose/catalog';
import { main } from './cli/main';

const cacheRoot = process.env.OSCOMPOSE_CACHE ?? join(homedir(), '.cache', 'oscompose');
// Kept between runs (and shared with the disk format tests): unchanged recipes are skipped.
const STORE = process.env.OSCOMPOSE_TEST_IMAGE_STORE ?? join(cacheRoot, 'test-image-store');

let dir: string;
beforeAll(async () => {
  await buildStarterCatalog({
    imageStore: STORE,
    cacheDir: process.env.OSCOMPOSE_DEBIAN_CACHE ?? join(cacheRoot, 'debian'),
    referenceHost: 'localhost:5000',
    only: ['kernel', 'init', 'runc', 'sysctl', 'hello', 'getty'],
  });
  dir = await mkdtemp(join(tmpdir(), 'oscompose-catalog-boot-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const SPEC = `kernel:
  image: localhost:5000/oscompose/kernel:6.1
  cmdline: "console=ttyS0"
init:
  - localhost:5000/oscompose/init:0.1
  - localhost:5000/oscompose/runc:0.1
onboot:
  - name: sysctl
    image: localhost:5000/oscompose/sysctl:0.1
  - name: hello
    image: localhost:5000/oscompose/hello:0.1
  - name: hello2
    image: localhost:5000/oscompose/hello:0.1
services:
  - name: getty
    image: localhost:5000/oscompose/getty:0.1
    env:
      - INSECURE=true
files:
  - path: etc/issue
    contents: "built by oscompose\\n"
    mode: "0644"
  - path: etc/linuxkit-config
    metadata: yaml
`;

describe('a catalog spec built by the CLI boots in QEMU', () => {
  it('runs every onboot container to exit 0 and starts the service', async () => {
    await writeFile(join(dir, 'system.yml'), SPEC);
    const code = await main(['build', '-q', '-f', 'kernel+initrd', '--dir', join(dir, 'out'), '--image-store', STORE, '--cache', join(dir, 'cache'), join(dir, 'system.yml')], {
      stdout: process.stdout, stderr: process.stderr, cwd: dir, env: {},
    });
    expect(code).toBe(0);
    const out = (n: string) => join(dir, 'out', `system-${n}`);
    const res = await bootCheck({ kernel: out('kernel'), initrd: out('initrd.img'), cmdline: readFileSync(out('cmdline'), 'utf8') }, { timeoutMs: 240_000 });
    const onboot = res.containers.filter((c) => c.phase === 'onboot');
    expect(onboot.map((c) => [c.name, c.status, c.exitCode]), res.console.slice(-4000)).toEqual([
      ['000-sysctl', 'exited', 0],
      ['001-hello', 'exited', 0],
      ['002-hello2', 'exited', 0], // the same image again: stored once, bound from 001-hello

    ]);
    expect(res.containers.filter((c) => c.phase !== 'onboot').map((c) => [c.name, c.status])).toContainEqual(['getty', 'started']);
    expect(res.bootComplete).toBe(true);
  });
});
