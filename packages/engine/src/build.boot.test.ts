// Boots an engine-built kernel+initrd in QEMU: the per-section archives (gzip and zstd, no
// trailer between sections) must unpack in the kernel into the LinuxKit tree. Uses Debian's
// cloud kernel and busybox-static as the image contents (real pieces, no registry needed).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Spec } from '@oscompose/spec';
import { build } from './build';
import { directory, entry, memoryImages } from './testing/memory-images';
import type { FsEntry } from './oci/entry';
import { boot } from './outputs/disk/testing/qemu';
import { testKernel } from './outputs/disk/testing/kernel';

const BUSYBOX = '/bin/busybox';
const MARK = 'oscompose-initramfs-test';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oscompose-boot-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function images() {
  let busybox: Buffer;
  try {
    busybox = readFileSync(BUSYBOX);
  } catch {
    throw new Error(`${BUSYBOX} is missing: apt-get install busybox-static`);
  }
  const kernel = testKernel();
  const bb = (prefix = ''): FsEntry[] => [directory(`${prefix}bin`), entry(`${prefix}bin/busybox`, busybox, 0o755)];
  const init = `#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
for d in /containers/onboot/* /containers/services/*; do echo "${MARK} bundle $d: $(/bin/busybox ls $d | /bin/busybox tr '\\n' ' ')"; done
echo "${MARK} busybox-in-lower: $(/bin/busybox ls -l /containers/onboot/000-hello/lower/bin/busybox | /bin/busybox cut -c1-10)"
echo "${MARK} issue: $(/bin/busybox cat /etc/issue)"
echo "${MARK} resolv: $(/bin/busybox readlink /etc/resolv.conf)"
echo "${MARK} config: $(/bin/busybox grep -c ociVersion /containers/services/getty/config.json)"
echo "${MARK} done"
/bin/busybox poweroff -f
`;
  return memoryImages({
    'debian/kernel:cloud': { entries: [entry('kernel', readFileSync(kernel.vmlinuz), 0o644)] },
    'example/init:1': { entries: [...bb(), entry('init', init, 0o755)] },
    'example/hello:1': { config: { Cmd: ['/bin/busybox', 'echo', 'hello'] }, entries: bb() },
    'example/getty:1': { config: { Cmd: ['/bin/busybox', 'sh'] }, entries: [...bb(), directory('etc'), entry('etc/getty.conf', 'x')] },
  });
}

const spec: Spec = {
  kernel: { image: 'debian/kernel:cloud', cmdline: 'console=ttyS0 panic=-1', tar: 'none' },
  init: ['example/init:1'],
  onboot: [{ name: 'hello', image: 'example/hello:1' }],
  services: [{ name: 'getty', image: 'example/getty:1' }],
  files: [{ path: 'etc/issue', contents: 'welcome to oscompose\n', mode: '0644' }],
};

describe('an engine-built initramfs boots in QEMU', () => {
  for (const compression of ['gzip', 'zstd'] as const) {
    it(`unpacks every section (${compression})`, async () => {
      const res = await build({ spec, images: images(), formats: ['kernel+initrd'], outDir: join(dir, compression), name: 'boot', cacheDir: join(dir, 'cache'), compression });
      const [kernel, initrd, cmdline] = res.artifacts.map((a) => a.path) as [string, string, string];
      const { output, timedOut } = await boot({ kernel, initrd, cmdline: readFileSync(cmdline, 'utf8') }, { firmware: 'bios', workDir: dir, until: `${MARK} done`, timeoutMs: 180_000 });
      expect(output, output.slice(-3000)).toContain(`${MARK} done`);
      expect(timedOut && !output.includes(`${MARK} done`)).toBe(false);
      expect(output).toContain(`${MARK} bundle /containers/onboot/000-hello: config.json lower rootfs runtime.json tmp`);
      expect(output).toContain(`${MARK} bundle /containers/services/getty: config.json lower rootfs runtime.json tmp`);
      expect(output).toContain(`${MARK} busybox-in-lower: -rwxr-xr-x`);
      expect(output).toContain(`${MARK} issue: welcome to oscompose`);
      expect(output).toContain(`${MARK} resolv: /run/resolvconf/resolv.conf`);
      expect(output).toContain(`${MARK} config: 1`);
    });
  }
});
