// Test fixtures made from busybox-static: a tiny initramfs whose /init prints a marker and the
// kernel cmdline on the console and powers off, the same as a root filesystem tar (for squashfs),
// and a loader initramfs that mounts a squashfs disk as root (the Debian kernel has squashfs and
// virtio_blk as modules, LinuxKit's kernels have them built in).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireHostTool } from '../../../../../../scripts/lib/host-packages.mjs';
import type { TestKernel } from './kernel';

export const BOOT_MARKER = 'oscompose-disk-test: booted';
const BUSYBOX = '/bin/busybox';

/** Prints the marker with the cmdline as the booted system saw it, then powers off. */
const MARKER_INIT = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc
/bin/busybox mount -t proc proc /proc
echo "${BOOT_MARKER} root=$(/bin/busybox stat -f -c %T /) cmdline=[$(/bin/busybox cat /proc/cmdline)]"
/bin/busybox poweroff -f
`;

function stageBusybox(dir: string, init: string): void {
  requireHostTool(BUSYBOX);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(BUSYBOX, join(dir, 'bin', 'busybox'));
  writeFileSync(join(dir, 'init'), init);
  chmodSync(join(dir, 'init'), 0o755);
}

/** newc cpio of a directory, gzip'd, with fixed owners and dates. */
function cpioGz(dir: string, out: string): void {
  requireHostTool('cpio');
  execFileSync('sh', ['-c', `cd "$1" && find . -print | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet | gzip -n -9 > "$2"`, 'sh', dir, out]);
}

export function markerInitrd(workDir: string): string {
  const dir = join(workDir, 'marker-root');
  stageBusybox(dir, MARKER_INIT);
  const out = join(workDir, 'marker-initrd.img');
  cpioGz(dir, out);
  return out;
}

/**
 * The marker initrd followed by a second archive holding `bytes` of incompressible data: an
 * initrd big enough to cross size limits (El Torito's 32 MiB) without a big system.
 */
export function paddedMarkerInitrd(workDir: string, bytes: number): string {
  const dir = join(workDir, 'padding-root');
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `head -c ${bytes} /dev/urandom > "$1/padding"`, 'sh', dir]);
  const padding = join(workDir, 'padding.img');
  cpioGz(dir, padding);
  const out = join(workDir, 'padded-initrd.img');
  execFileSync('sh', ['-c', 'cat "$1" "$2" > "$3"', 'sh', markerInitrd(workDir), padding, out]);
  return out;
}

/** The marker system as a root filesystem tar (what OutputContext.rootfsTar() returns). */
export function markerRootfsTar(workDir: string): string {
  const dir = join(workDir, 'marker-rootfs');
  stageBusybox(dir, MARKER_INIT);
  mkdirSync(join(dir, 'boot'), { recursive: true });
  writeFileSync(join(dir, 'boot', 'cmdline'), 'excluded from the squashfs');
  for (const d of ['proc', 'dev', 'sys']) mkdirSync(join(dir, d), { recursive: true });
  const out = join(workDir, 'marker-rootfs.tar');
  execFileSync('tar', ['-C', dir, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@1700000000', '-cf', out, '.']);
  return out;
}

/**
 * An initramfs that loads squashfs + virtio_blk, mounts /dev/vda and switches root to it, or with
 * `copyToTmpfs` to a tmpfs copy of it (for an init that needs a writable root, like ours).
 */
export function squashfsLoaderInitrd(workDir: string, kernel: TestKernel, opts: { copyToTmpfs?: boolean } = {}): string {
  const dir = join(workDir, 'loader-root');
  const mountRoot = opts.copyToTmpfs
    ? `mkdir -p /ro && mount -t squashfs -o ro /dev/vda /ro && mount -t tmpfs -o mode=755 tmpfs /newroot && cp -a /ro/. /newroot/ && umount /ro || echo "loader: cannot copy /dev/vda"`
    : `mount -t squashfs -o ro /dev/vda /newroot || echo "loader: cannot mount /dev/vda"`;
  const init = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /newroot
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
depmod
for m in virtio_pci virtio_blk squashfs; do modprobe $m; done
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; sleep 1; done
${mountRoot}
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /init
`;
  stageBusybox(dir, init);
  const modDest = join(dir, 'lib', 'modules', kernel.release);
  for (const sub of ['kernel/drivers/virtio', 'kernel/drivers/block/virtio_blk.ko', 'kernel/fs/squashfs']) {
    cpSync(join(kernel.modulesDir, sub), join(modDest, sub), { recursive: true });
  }
  const out = join(workDir, 'loader-initrd.img');
  cpioGz(dir, out);
  return out;
}
