// LinuxKit-shaped images for boot tests, made the way LinuxKit's packages are: an init image that
// is not ours (a shell-script /init that mounts the basics, runs each /containers/onboot/* bundle
// with runc, then starts the services; it prints no oscompose protocol line), and container
// images whose runtime settings come from an org.mobyproject.config label. runc itself comes from
// another init image (as linuxkit/runc does), here the starter catalog's.

import { readFileSync } from 'node:fs';
import { makeImage, type MemoryImage } from '@oscompose/engine/testing';

/** What the images print on the console, for expectations that name it. */
export const LINUXKIT_SAYS = {
  onboot: 'hello from a linuxkit onboot container',
  service: 'web service listening on :8080',
  /** The service prints its environment's GREETING: set by its image's org.mobyproject.config label. */
  label: 'greeting from the mobyproject label',
} as const;

// The init: PID 1 from the initramfs. runc cannot pivot_root out of the initramfs, so it runs
// with --no-pivot; a bundle without a rootfs mount (lower/ only: not read-only) gets a tmpfs
// overlay, as LinuxKit's service tool did before runtime.json.
const INIT = `#!/bin/busybox sh
BB=/bin/busybox
$BB mount -t devtmpfs -o mode=755 dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
$BB --install -s /bin
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
modprobe -q overlay 2>/dev/null
echo "lkinit: filesystems mounted"
bundle() {
  d=$1
  if [ -d "$d/lower" ]; then
    mkdir -p "$d/rootfs" "$d/tmp"
    mount -t tmpfs tmpfs "$d/tmp" && mkdir -p "$d/tmp/upper" "$d/tmp/work"
    mount -t overlay -o "lowerdir=$d/lower,upperdir=$d/tmp/upper,workdir=$d/tmp/work" overlay "$d/rootfs" || echo "lkinit: overlay on $d/rootfs failed"
  fi
}
for d in /containers/onboot/*; do
  [ -d "$d" ] || continue
  n=\${d##*/}
  bundle "$d"
  runc run --no-pivot --bundle "$d" "$n" </dev/null
  echo "lkinit: onboot $n returned $?"
  runc delete -f "$n" >/dev/null 2>&1
done
for d in /containers/services/*; do
  [ -d "$d" ] || continue
  n=\${d##*/}
  bundle "$d"
  runc run --no-pivot --bundle "$d" "$n" </dev/null &
done
echo "lkinit: all containers started"
while :; do sleep 3600; done
`;

function busybox(): Buffer {
  try {
    return readFileSync('/bin/busybox');
  } catch {
    throw new Error('/bin/busybox is missing: apt-get install busybox-static');
  }
}

const DIRS = ['dev', 'proc', 'sys', 'run', 'tmp', 'var', 'etc', 'usr/bin', 'usr/sbin', 'sbin'];
const dirs = (): Record<string, { type: 'dir' }> => Object.fromEntries(DIRS.map((d) => [d, { type: 'dir' as const }]));

export async function linuxkitImages(): Promise<{ init: MemoryImage; onboot: MemoryImage; service: MemoryImage; noInit: MemoryImage }> {
  const bb = busybox();
  const init = await makeImage({ files: { ...dirs(), 'bin/busybox': { content: bb, mode: 0o755 }, 'bin/sh': { linkname: 'busybox' }, init: { content: INIT, mode: 0o755 }, 'etc/hostname': 'linuxkit\n' } });
  // "init" images without /init: the kernel finds nothing to run from the initramfs
  const noInit = await makeImage({ files: { ...dirs(), 'bin/busybox': { content: bb, mode: 0o755 }, 'etc/hostname': 'broken\n' } });
  const onboot = await makeImage({
    files: { 'bin/busybox': { content: bb, mode: 0o755 } },
    config: { Cmd: ['/bin/busybox', 'echo', LINUXKIT_SAYS.onboot] },
    labels: { 'org.mobyproject.config': JSON.stringify({ readonly: true }) },
  });
  const service = await makeImage({
    files: { 'bin/busybox': { content: bb, mode: 0o755 } },
    config: { Cmd: ['/bin/busybox', 'sh', '-c', `echo "${LINUXKIT_SAYS.service}"; echo "$GREETING"; exec /bin/busybox sleep 3600`] },
    labels: { 'org.mobyproject.config': JSON.stringify({ env: [`GREETING=${LINUXKIT_SAYS.label}`], net: 'host' }) },
  });
  return { init, onboot, service, noInit };
}

/** A linuxkit.yml over those images (`refs` as pushed), kernel and runc from the starter catalog. */
export function linuxkitSpec(refs: { init: string; onboot: string; service: string }, catalog = 'localhost:5000/oscompose'): string {
  return [
    'kernel:',
    `  image: ${catalog}/kernel:6.1`,
    '  cmdline: "console=ttyS0"',
    'init:',
    `  - ${refs.init}`,
    `  - ${catalog}/runc:0.1`,
    'onboot:',
    '  - name: hello',
    `    image: ${refs.onboot}`,
    'services:',
    '  - name: web',
    `    image: ${refs.service}`,
    '',
  ].join('\n');
}
