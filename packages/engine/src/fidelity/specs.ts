// Specs and images the fidelity test builds with LinuxKit and with us. `{{name}}` in a spec is
// replaced by the registry reference of image `name`. They cover what a LinuxKit user writes:
// kernel + modules, init images with links and whiteouts, onboot/services from labelled images,
// every ConfigToOCI input (capabilities, binds, mounts, tmpfs, devices, rlimits, sysctl,
// resources, namespaces, ids by container name, runtime.json), volumes and files.
import { tarBuffer } from '../oci/tar';
import { filesToEntries, type MakeImageOptions } from '../testing/image';

export async function fidelityImages(): Promise<Record<string, MakeImageOptions>> {
  const modules = await tarBuffer(filesToEntries({
    'lib/modules/6.6.0/modules.dep': 'kernel/fs/x.ko:\n',
    'lib/modules/6.6.0/kernel/fs/x.ko': { content: Buffer.alloc(3000, 7), mode: 0o644 },
  }));
  return {
    kernel: { files: { kernel: Buffer.alloc(4096, 1), 'kernel.tar': modules } },
    init: {
      layers: [
        {
          'bin/busybox': { content: 'busybox binary', mode: 0o755 },
          'bin/sh': { linkname: 'busybox' },
          'bin/ls': { type: 'hardlink', linkname: 'bin/busybox' },
          'usr/bin/passwd': { content: 'p', mode: 0o4755 },
          'etc/init.d/rcS': { content: '#!/bin/sh\n', mode: 0o750 },
          'etc/old': 'to be removed',
          init: { content: 'init', mode: 0o755 },
          'tmp': { type: 'dir', mode: 0o1777 },
        },
        { 'etc/.wh.old': '', 'etc/motd': 'welcome\n' },
      ],
    },
    runc: { files: { 'usr/bin/runc': { content: 'runc', mode: 0o755 }, 'etc/runc.conf': 'x=1\n' } },
    svc: {
      files: {
        'usr/bin/svc': { content: 'svc', mode: 0o755, uid: 1000, gid: 1000 },
        'var/lib/svc': { type: 'dir', mode: 0o700, uid: 1000, gid: 1000 },
        'etc/svc.conf': { content: 'a=b\n', mode: 0o640 },
      },
      config: { Entrypoint: ['/usr/bin/svc'], Cmd: ['--serve'], Env: ['PATH=/usr/bin:/bin', 'A=b'], WorkingDir: '/var/lib/svc' },
      labels: {
        'org.mobyproject.config': JSON.stringify({
          pid: 'host',
          binds: ['/var/log:/var/log', '/etc/resolv.conf:/etc/resolv.conf:ro'],
          capabilities: ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN'],
          tmpfs: ['/run:size=1m'],
          runtime: { mkdir: ['/var/lib/svc-data'], interfaces: [{ name: 'eth1', add: 'veth', peer: 'veth-svc', createInRoot: true }] },
        }),
      },
    },
    // Tar edge cases in a service image: names and link targets past ustar's 100 bytes (pax),
    // an id past the octal field, a fifo and a device node, a hard link, odd modes, empty files,
    // and the files LinuxKit replaces or drops in every image.
    edges: {
      files: {
        [`usr/share/${'a-rather-long-directory-name/'.repeat(5)}file.txt`]: 'long\n',
        'usr/share/long-link': { linkname: `/usr/share/${'a-rather-long-directory-name/'.repeat(5)}file.txt` },
        'usr/bin/a': { content: 'a', mode: 0o6755 },
        'usr/bin/b': { type: 'hardlink', linkname: 'usr/bin/a' },
        'var/owned-by-big-id': { content: 'big', uid: 3000000, gid: 3000001 },
        'var/secret': { type: 'dir', mode: 0o700, uid: 33, gid: 33 },
        'var/secret/empty': '',
        'run/fifo': { type: 'fifo', mode: 0o600 },
        'lib/null': { type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
        'etc/hosts': '10.0.0.1 other\n',
        'etc/resolv.conf': 'nameserver 10.0.0.53\n',
        'etc/hostname': 'image-host\n',
        '.dockerenv': '',
      },
      config: { Entrypoint: ['/usr/bin/a'], User: '33' },
    },
    tool: {
      files: { 'bin/tool': { content: 'tool', mode: 0o755 }, 'etc/tool/defaults': 'd\n' },
      config: { Cmd: ['/bin/tool'] },
    },
  };
}

export const FIDELITY_SPECS: Record<string, string> = {
  // The shape of LinuxKit's examples: kernel, init images, onboot, services, files.
  'host-os': `kernel:
  image: {{kernel}}
  cmdline: "console=ttyS0 quiet"
init:
  - {{init}}
  - {{runc}}
onboot:
  - name: sysctl
    image: {{tool}}
    net: host
    pid: host
    readonly: true
    sysctl:
      net.ipv4.ip_forward: "1"
    capabilities:
      - CAP_SYS_ADMIN
  - name: format
    image: {{tool}}
    command: ["/bin/tool", "format", "/dev/sda"]
    devices:
      - path: /dev/sda
        type: b
        major: 8
        minor: 0
        mode: "0660"
services:
  - name: svc
    image: {{svc}}
    env:
      - DEBUG=1
    rlimits:
      - nofile,1024,4096
    oomScoreAdj: -500
  - name: getty
    image: {{tool}}
    uid: svc
    gid: svc
    additionalGids: [sysctl, 0]
    binds.add:
      - /etc/getty:/etc/getty
files:
  - path: etc/issue
    contents: "hello\\n"
  - path: etc/svc/owned
    contents: "mine"
    uid: svc
    mode: "0640"
  - path: var/empty
    directory: true
    mode: "0755"
  - path: etc/link
    symlink: /etc/issue
  - path: etc/linuxkit.yml
    metadata: yaml
`,
  // Forms from LinuxKit's own test/cases that once differed: \`path: all\` devices
  // (040_packages/012_losetup), a relative mount destination (000_build/001_tarheaders), and
  // every remaining ConfigToOCI field.
  'test-cases': `kernel:
  image: {{kernel}}
init:
  - {{init}}
onboot:
  - name: losetup
    image: {{tool}}
    net: host
    binds:
      - /dev:/dev
    devices:
      - path: all
        type: b
  - name: tarheaders
    image: {{tool}}
    mounts:
      - type: bind
        source: /etc
        destination: writeable-host-etc
        options: ["rw", "rbind"]
      - type: proc
  - name: everything
    image: {{svc}}
    capabilities: [all]
    ambient: [CAP_NET_RAW]
    hostname: box
    ipc: new
    uts: new
    net: /run/netns/x
    noNewPrivileges: true
    cgroupsPath: /oscompose/everything
    rootfsPropagation: shared
    maskedPaths: [/proc/kcore]
    readonlyPaths: [/proc/sys]
    annotations:
      org.example: "yes"
    uidMappings:
      - {containerID: 0, hostID: 0, size: 65536}
    gidMappings:
      - {containerID: 0, hostID: 0, size: 65536}
    resources:
      memory:
        limit: 104857600
      cpu:
        shares: 512
      pids:
        limit: 64
      devices:
        - {allow: false, access: rwm}
        - {allow: true, type: c, major: 1, minor: 3, access: rw}
    runtime:
      cgroups: [everything]
      mkdir: [/var/run/everything]
      mounts:
        - type: bind
          source: /var/lib
          destination: /var/lib/everything
          options: [rbind]
      bindNS:
        net: /run/netns/x
      namespace: ns1
services:
  - name: twice
    image: {{svc}}
    tmpfs:
      - /tmp
  - name: other
    image: {{svc}}
    command: ["/usr/bin/svc", "--other"]
volumes:
  - name: data
    image: {{tool}}
  - name: scratch
files:
  - path: etc/deep/nested/file
    contents: "x"
`,
  // Tar edge cases and the sections the other specs leave out (onshutdown, files directories
  // with modes and owners).
  edges: `kernel:
  image: {{kernel}}
init:
  - {{init}}
onshutdown:
  - name: bye
    image: {{tool}}
services:
  - name: edges
    image: {{edges}}
    readonly: true
files:
  - path: etc/dir-with-mode
    directory: true
    mode: "0700"
  - path: etc/dir-with-mode/inner
    contents: "in"
    mode: "0600"
    gid: 5
  - path: usr/local/deep/path/in/no/image
    contents: "x"
`,
};
