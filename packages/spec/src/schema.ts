// The zod schema for a LinuxKit spec: every field `linuxkit build` accepts, with the YAML key
// names LinuxKit uses. It is the single source for validation, the TypeScript types and the
// generated JSON Schema (each field's description says what it does, its default, an example).
import { z } from 'zod';

/** Attach the editor-facing description (what, default, example) to a schema. */
function doc<T extends z.ZodType>(schema: T, description: string, id?: string): T {
  // An id makes the JSON Schema share one definition instead of repeating the object inline.
  return schema.meta(id ? { description, id } : { description });
}

const str = () => z.string();
const strings = () => z.array(z.string());
const int = () => z.number().int();
/** LinuxKit accepts a user or group either as a number or as a name looked up in /etc/passwd. */
const idOrName = () => z.union([z.string(), z.number().int()]);
const mapString = () => z.record(z.string(), z.string());
/** File and device modes are octal strings; the pattern also drives the editor's squiggles. */
export const OCTAL_MODE = /^0?[0-7]{1,4}$/;
const octalMode = () => z.string().regex(OCTAL_MODE);

// ---------------------------------------------------------------- kernel

export const kernelSchema = doc(
  z.strictObject({
    image: doc(str(), 'Image reference of the kernel image; it holds the kernel binary and optionally a tar of modules. Default: none. Example: `linuxkit/kernel:6.6.13`.'),
    cmdline: doc(str(), 'Kernel command line. Default: empty. Example: `console=tty0 console=ttyS0`.'),
    binary: doc(str(), 'Path of the kernel binary inside the kernel image. Default: `kernel`. Example: `bzImage`.'),
    tar: doc(str(), 'Path of a tar archive inside the kernel image that is unpacked into the root filesystem (modules); `none` for no tar. Default: `kernel.tar`. Example: `none`.'),
    ucode: doc(str(), 'Path of a CPU microcode cpio archive inside the kernel image, prepended to the initrd. Default: none. Example: `intel-ucode.cpio`.'),
  }).partial(),
  'The kernel: which image holds it and its command line. Default: none (a spec without a kernel builds only a root filesystem). Example: `{image: linuxkit/kernel:6.6.13, cmdline: "console=ttyS0"}`.',
  'kernel',
);

// ---------------------------------------------------------------- OCI pieces shared by images

const idMappingSchema = doc(
  z.strictObject({
    hostID: doc(int(), 'First id on the host. Default: 0. Example: `100000`.'),
    containerID: doc(int(), 'First id in the container. Default: 0. Example: `0`.'),
    size: doc(int(), 'Number of ids mapped. Default: 0. Example: `65536`.'),
  }).partial(),
  'One user-namespace id range mapping.',
  'idMapping',
);

export const mountSchema = doc(
  z.strictObject({
    destination: doc(str(), 'Mount point inside the container; absolute (a relative one is taken from the container root, with a warning). Default: the usual place for proc, sysfs, devpts, cgroup, mqueue; else required. Example: `/var/log`.'),
    type: doc(str(), 'Filesystem type; for proc, sysfs, devpts, cgroup and mqueue the destination defaults to their usual place. Default: none. Example: `bind`.'),
    source: doc(str(), 'Source of the mount: a host path for binds, a device or a name. Default: the type. Example: `/var/log`.'),
    options: doc(strings(), 'Mount options. Default: none. Example: `[rbind, rw]`.'),
    // LinuxKit's schema spells these in lower case here (unlike the image-level uidMappings).
    uidmappings: doc(z.array(idMappingSchema), 'User id mappings for an idmapped mount. Default: none. Example: `[{hostID: 100000, containerID: 0, size: 65536}]`.'),
    gidmappings: doc(z.array(idMappingSchema), 'Group id mappings for an idmapped mount. Default: none. Example: `[{hostID: 100000, containerID: 0, size: 65536}]`.'),
  }).partial(),
  'One OCI mount. Example: `{type: tmpfs, destination: /tmp, options: [nosuid]}`.',
  'mount',
);

export const deviceSchema = doc(
  z.strictObject({
    path: doc(str(), 'Device node path inside the container (absolute), or `all` to allow every device of `type` without creating a node. Default: none. Example: `/dev/kvm`.'),
    type: doc(z.enum(['c', 'b', 'u', 'p']), 'Device type: `c` (character), `b` (block), `u` (unbuffered) or `p` (fifo). Default: none. Example: `c`.'),
    major: doc(int(), 'Major device number. Default: 0. Example: `10`.'),
    minor: doc(int(), 'Minor device number. Default: 0. Example: `232`.'),
    // LinuxKit's docs show a number here, but its schema only accepts a string (an octal mode).
    mode: doc(octalMode(), 'Permissions of the device node as an octal string. Default: unset (runc uses 0666). Example: `"0666"`.'),
  }).partial(),
  'A device node to create in the container and allow in its device cgroup. Example: `{path: /dev/kvm, type: c, major: 10, minor: 232, mode: "0666"}`.',
  'device',
);

const deviceCgroupSchema = z.strictObject({
  allow: doc(z.boolean(), 'Allow (true) or deny (false) access. Default: false. Example: `true`.'),
  type: doc(z.enum(['a', 'c', 'b']), 'Device type: `a` (all), `c` or `b`. Default: `a`. Example: `c`.'),
  major: doc(int(), 'Major number. Default: all. Example: `10`.'),
  minor: doc(int(), 'Minor number. Default: all. Example: `200`.'),
  access: doc(str(), 'Access: any of `r`, `w`, `m`. Default: `rwm`. Example: `rwm`.'),
}).partial().describe('One device cgroup rule.');

const memorySchema = z.strictObject({
  limit: doc(int(), 'Memory limit in bytes. Default: no limit. Example: `536870912`.'),
  reservation: doc(int(), 'Soft memory limit in bytes. Default: no limit. Example: `268435456`.'),
  swap: doc(int(), 'Memory plus swap limit in bytes; -1 for unlimited swap. Default: no limit. Example: `1073741824`.'),
  kernel: doc(int(), 'Kernel memory limit in bytes (deprecated by the kernel). Default: no limit. Example: `67108864`.'),
  kernelTCP: doc(int(), 'Kernel TCP buffer memory limit in bytes. Default: no limit. Example: `16777216`.'),
  swappiness: doc(int(), 'Swappiness, 0 to 100. Default: the kernel setting. Example: `10`.'),
  disableOOMKiller: doc(z.boolean(), 'Disable the OOM killer for this container. Default: false. Example: `true`.'),
}).partial().describe('Memory cgroup limits. Default: no limits. Example: `{limit: 536870912}`.');

const cpuSchema = z.strictObject({
  shares: doc(int(), 'CPU shares (relative weight). Default: 1024. Example: `512`.'),
  quota: doc(int(), 'CPU time in microseconds per period. Default: no limit. Example: `50000`.'),
  period: doc(int(), 'CPU period in microseconds. Default: 100000. Example: `100000`.'),
  realtimeRuntime: doc(int(), 'Realtime runtime in microseconds. Default: 0. Example: `950000`.'),
  realtimePeriod: doc(int(), 'Realtime period in microseconds. Default: the kernel setting. Example: `1000000`.'),
  cpus: doc(str(), 'CPUs the container may use. Default: all. Example: `0-1`.'),
  mems: doc(str(), 'Memory nodes the container may use. Default: all. Example: `0`.'),
}).partial().describe('CPU cgroup limits. Default: no limits. Example: `{shares: 512}`.');

const weightDeviceSchema = z.strictObject({
  major: doc(int(), 'Major device number. Default: 0. Example: `8`.'),
  minor: doc(int(), 'Minor device number. Default: 0. Example: `0`.'),
  weight: doc(int(), 'Block IO weight for this device. Default: unset. Example: `500`.'),
  leafWeight: doc(int(), 'Block IO leaf weight, 10 to 1000. Default: unset. Example: `300`.'),
}).partial().describe('Per-device block IO weight.');

const throttleDeviceSchema = z.strictObject({
  major: doc(int(), 'Major device number. Default: 0. Example: `8`.'),
  minor: doc(int(), 'Minor device number. Default: 0. Example: `0`.'),
  rate: doc(int(), 'Rate limit (bytes or IO operations per second). Default: 0 (no limit). Example: `1048576`.'),
}).partial().describe('Per-device block IO rate limit.');

const blockIOSchema = z.strictObject({
  weight: doc(int(), 'Block IO weight, 10 to 1000. Default: the kernel default (500 or 100). Example: `500`.'),
  leafWeight: doc(int(), 'Block IO leaf weight, 10 to 1000. Default: unset. Example: `300`.'),
  weightDevice: doc(z.array(weightDeviceSchema), 'Per-device weights. Default: none. Example: `[{major: 8, minor: 0, weight: 500}]`.'),
  throttleReadBpsDevice: doc(z.array(throttleDeviceSchema), 'Per-device read limits in bytes per second. Default: none. Example: `[{major: 8, minor: 0, rate: 1048576}]`.'),
  throttleWriteBpsDevice: doc(z.array(throttleDeviceSchema), 'Per-device write limits in bytes per second. Default: none. Example: `[{major: 8, minor: 0, rate: 1048576}]`.'),
  throttleReadIOPSDevice: doc(z.array(throttleDeviceSchema), 'Per-device read limits in operations per second. Default: none. Example: `[{major: 8, minor: 0, rate: 1000}]`.'),
  throttleWriteIOPSDevice: doc(z.array(throttleDeviceSchema), 'Per-device write limits in operations per second. Default: none. Example: `[{major: 8, minor: 0, rate: 1000}]`.'),
}).partial().describe('Block IO cgroup settings. Default: none. Example: `{weight: 500}`.');

const hugepageLimitSchema = z.strictObject({
  // LinuxKit's schema says integer although the OCI field is a string like "2MB"; we follow LinuxKit.
  pageSize: doc(int(), 'Huge page size in bytes. Default: none. Example: `2097152`.'),
  limit: doc(int(), 'Limit in bytes. Default: no limit. Example: `1073741824`.'),
}).partial().describe('Huge page limit for one page size.');

const networkResourcesSchema = z.strictObject({
  classID: doc(int(), 'Network class id (net_cls). Default: unset. Example: `1048577`.'),
  priorities: doc(z.array(z.strictObject({
    name: doc(str(), 'Interface name. Default: none. Example: `eth0`.'),
    priority: doc(int(), 'Priority for this interface. Default: 0. Example: `10`.'),
  }).partial().describe('Priority of one network interface.')), 'Per-interface priorities (net_prio). Default: none. Example: `[{name: eth0, priority: 10}]`.'),
}).partial().describe('Network cgroup settings. Default: none. Example: `{classID: 1048577}`.');

export const resourcesSchema = doc(
  z.strictObject({
    devices: doc(z.array(deviceCgroupSchema), 'Device cgroup rules, applied in order. Default: deny all but the standard devices. Example: `[{allow: true, type: c, major: 10, minor: 200, access: rwm}]`.'),
    memory: memorySchema,
    cpu: cpuSchema,
    pids: z.strictObject({ limit: doc(int(), 'Maximum number of processes. Default: no limit. Example: `100`.') }).partial().describe('PIDs cgroup limit. Default: no limit. Example: `{limit: 100}`.'),
    // LinuxKit's key is `blockio` (lower case), not the OCI JSON name `blockIO`.
    blockio: blockIOSchema,
    hugepageLimits: doc(z.array(hugepageLimitSchema), 'Huge page limits. Default: none. Example: `[{pageSize: 2097152, limit: 0}]`.'),
    network: networkResourcesSchema,
  }).partial(),
  'OCI Linux resources (cgroup limits) for the container. Default: no limits. Example: `{memory: {limit: 536870912}}`.',
  'resources',
);

const interfaceSchema = doc(
  z.strictObject({
    name: doc(str(), 'Name of the interface inside the container (or of an existing interface to move in). Default: none. Example: `eth0`.'),
    add: doc(str(), 'Type of interface to create, e.g. `veth`. Default: move an existing interface. Example: `veth`.'),
    peer: doc(str(), 'Name of the veth peer (left in the root namespace). Default: none. Example: `veth0`.'),
    createInRoot: doc(z.boolean(), 'Create the interface in the root namespace and move it in. Default: false. Example: `true`.'),
  }).partial(),
  'A network interface to create or move into the container at start.',
  'interface',
);

const bindNSSchema = doc(
  z.strictObject({
    cgroup: doc(str(), 'Bind the cgroup namespace to this path. Default: not bound. Example: `/run/netns/foo`.'),
    ipc: doc(str(), 'Bind the IPC namespace to this path. Default: not bound. Example: `/run/ipcns/app`.'),
    mnt: doc(str(), 'Bind the mount namespace to this path. Default: not bound. Example: `/run/mntns/app`.'),
    net: doc(str(), 'Bind the network namespace to this path. Default: not bound. Example: `/run/netns/sshd`.'),
    pid: doc(str(), 'Bind the PID namespace to this path. Default: not bound. Example: `/run/pidns/app`.'),
    user: doc(str(), 'Bind the user namespace to this path. Default: not bound. Example: `/run/userns/app`.'),
    uts: doc(str(), 'Bind the UTS namespace to this path. Default: not bound. Example: `/run/utsns/app`.'),
  }).partial(),
  'Bind-mount the container namespaces to paths so other containers can join them. Default: none. Example: `{net: /run/netns/sshd}`.',
);

export const runtimeSchema = doc(
  z.strictObject({
    cgroups: doc(strings(), 'Cgroups to create before the container starts. Default: none. Example: `[kubepods]`.'),
    mounts: doc(z.array(mountSchema), 'Mounts to make in the root namespace before the container starts (e.g. mounting a data disk). Default: none. Example: `[{type: ext4, source: /dev/sda1, destination: /var/lib/data}]`.'),
    mkdir: doc(strings(), 'Directories to create before the container starts. Default: none. Example: `[/var/lib/docker]`.'),
    interfaces: doc(z.array(interfaceSchema), 'Network interfaces to create or move into the container. Default: none. Example: `[{name: eth1, add: veth, peer: veth1}]`.'),
    bindNS: bindNSSchema,
    namespace: doc(str(), 'containerd namespace to run a service in. Default: `services.linuxkit`. Example: `services.linuxkit`.'),
  }).partial(),
  'Actions the init takes when it starts the container (not part of the OCI spec). Default: none. Example: `{mkdir: [/var/lib/docker]}`.',
  'runtime',
);

// ---------------------------------------------------------------- one onboot / onshutdown / service entry

/**
 * The fields of an image entry other than name and image: these are also the fields an image may
 * set in its `org.mobyproject.config` label.
 */
export const imageConfigFieldsSchema = z.strictObject({
  capabilities: doc(strings(), 'Linux capabilities the process keeps; replaces the image default. `all` means every capability. Default: the label, else the runc default set. Example: `[CAP_NET_ADMIN, CAP_SYS_ADMIN]`.'),
  'capabilities.add': doc(strings(), 'Capabilities added to those from the image label (instead of replacing them). Default: none. Example: `[CAP_SYS_TIME]`.'),
  ambient: doc(strings(), 'Ambient capabilities. Default: none. Example: `[CAP_NET_BIND_SERVICE]`.'),
  mounts: doc(z.array(mountSchema), 'OCI mounts; replaces the image default list. Default: the label, else proc, dev, sysfs and the usual runc mounts. Example: `[{type: tmpfs, destination: /tmp}]`.'),
  binds: doc(strings(), 'Bind mounts `src:dst[:opts]` (opts comma-separated, e.g. `ro`, `rshared`); `src` is an absolute path or a volume name; replaces the image label. Default: the label, else none. Example: `[/var/log:/var/log]`.'),
  'binds.add': doc(strings(), 'Bind mounts added to those from the image label. Default: none. Example: `[/etc/resolv.conf:/etc/resolv.conf]`.'),
  devices: doc(z.array(deviceSchema), 'Device nodes to create and allow. Default: none. Example: `[{path: /dev/kvm, type: c, major: 10, minor: 232, mode: "0666"}]`.'),
  tmpfs: doc(strings(), 'Tmpfs mounts `dst[:opts]`. Default: none. Example: `[/run:size=10m]`.'),
  command: doc(strings(), 'The command (entrypoint and arguments) to run, replacing the image entrypoint and cmd. Default: the label, else the image entrypoint + cmd. Example: `[/usr/sbin/sshd, -D]`.'),
  env: doc(strings(), 'Environment variables `NAME=value`, replacing the image environment. Default: the label, else the image environment. Example: `[HOME=/root]`.'),
  cwd: doc(str(), 'Working directory. Default: the image working directory, else `/`. Example: `/var/lib/app`.'),
  net: doc(str(), 'Network namespace: `host`, `new` or a path to join. Default: new. Example: `host`.'),
  pid: doc(str(), 'PID namespace: `host`, `new` or a path. Default: new. Example: `host`.'),
  ipc: doc(str(), 'IPC namespace: `host`, `new` or a path. Default: new. Example: `host`.'),
  uts: doc(str(), 'UTS namespace: `host`, `new` or a path. Default: new. Example: `host`.'),
  userns: doc(str(), 'User namespace: `host`, `new` or a path. Default: host. Example: `new`.'),
  hostname: doc(str(), 'Hostname inside a new UTS namespace. Default: unset. Example: `sshd`.'),
  readonly: doc(z.boolean(), 'Mount the container root filesystem read-only. Default: false. Example: `true`.'),
  maskedPaths: doc(strings(), 'Paths masked from the container. Default: the runc defaults. Example: `[/proc/kcore]`.'),
  readonlyPaths: doc(strings(), 'Paths made read-only. Default: the runc defaults. Example: `[/proc/sys]`.'),
  uid: doc(idOrName(), 'User id or user name (looked up in the image /etc/passwd) the process runs as. Default: 0. Example: `1000`.'),
  gid: doc(idOrName(), 'Group id or group name the process runs as. Default: 0. Example: `1000`.'),
  additionalGids: doc(z.array(idOrName()), 'Supplementary group ids or names. Default: none. Example: `[wheel, 27]`.'),
  noNewPrivileges: doc(z.boolean(), 'Set no_new_privs so the process cannot gain privileges. Default: false. Example: `true`.'),
  oomScoreAdj: doc(int(), 'OOM score adjustment, -1000 to 1000. Default: 0. Example: `-500`.'),
  rootfsPropagation: doc(z.enum(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'unbindable', 'runbindable']), 'Mount propagation of the root: `private`, `shared`, `slave`, `unbindable` (or r-prefixed, recursive). Default: unset (runc: rprivate). Example: `shared`.'),
  cgroupsPath: doc(str(), 'Cgroup path for the container. Default: derived from the name. Example: `podruntime/docker`.'),
  resources: resourcesSchema,
  sysctl: doc(mapString(), 'Sysctls set in the container; values are strings. Default: none. Example: `{net.ipv4.ip_forward: "1"}`.'),
  rlimits: doc(strings(), 'Resource limits `name,soft,hard` (soft/hard a number or `unlimited`). Default: none. Example: `[nofile,10240,10240]`.'),
  uidMappings: doc(z.array(idMappingSchema), 'User namespace uid mappings (with `userns: new`). Default: none. Example: `[{hostID: 100000, containerID: 0, size: 65536}]`.'),
  gidMappings: doc(z.array(idMappingSchema), 'User namespace gid mappings (with `userns: new`). Default: none. Example: `[{hostID: 100000, containerID: 0, size: 65536}]`.'),
  annotations: doc(mapString(), 'OCI annotations on the container. Default: none. Example: `{org.example.team: infra}`.'),
  runtime: runtimeSchema,
}).partial();

export const imageSchema = doc(
  z.strictObject({
    name: doc(str().min(1), 'Name of the container; it names its directory and container id. Service names must be unique. Required. Example: `sshd`.'),
    image: doc(str().min(1), 'Image reference of the container image (tag or digest). Required. Example: `linuxkit/sshd:v1.0.0`.'),
    ...imageConfigFieldsSchema.shape,
  }),
  'One container: a name, an image reference and its OCI settings (they override the image `org.mobyproject.config` label, which overrides the image config).',
  'image',
);

// ---------------------------------------------------------------- files and volumes

export const fileSchema = doc(
  z.strictObject({
    path: doc(str().min(1), 'Path in the root filesystem (relative to /). Required. Example: `etc/hostname`.'),
    directory: doc(z.boolean(), 'Create a directory at path. Default: false. Example: `true`.'),
    symlink: doc(str(), 'Create a symlink at path pointing here. Default: none. Example: `/proc/mounts`.'),
    contents: doc(str(), 'Contents of the file. Default: none. Example: `"linuxkit\\n"`.'),
    source: doc(str(), 'Host file to copy (relative to the spec; `~` expands). Default: none. Example: `~/.ssh/id_rsa.pub`.'),
    metadata: doc(z.enum(['yaml']), 'Write metadata as file contents; only `yaml` (the spec itself, as YAML) is supported. Default: none. Example: `yaml`.'),
    optional: doc(z.boolean(), 'With source: skip the file if the source is missing. Default: false. Example: `true`.'),
    mode: doc(octalMode(), 'Permissions as an octal string. Default: `0600` for files, `0755` for directories. Example: `"0644"`.'),
    uid: doc(idOrName(), 'Owner uid or user name (looked up in the built /etc/passwd). Default: 0. Example: `0`.'),
    gid: doc(idOrName(), 'Group gid or group name. Default: 0. Example: `0`.'),
  }).partial({ directory: true, symlink: true, contents: true, source: true, metadata: true, optional: true, mode: true, uid: true, gid: true }),
  'A file, directory or symlink added to the root filesystem. Example: `{path: etc/issue, contents: "welcome\\n"}`.',
  'file',
);

export const volumeSchema = doc(
  z.strictObject({
    name: doc(str().min(1), 'Volume name; containers bind it with `binds: [<name>:/dest]`. Required. Example: `vol1`.'),
    image: doc(str(), 'Image reference whose contents fill the volume. Default: empty volume. Example: `alpine:3.20`.'),
    readonly: doc(z.boolean(), 'Mount the volume read-only. Default: false. Example: `true`.'),
    format: doc(z.enum(['oci', 'filesystem']), 'With image: `filesystem` (the unpacked image root) or `oci` (an OCI image layout). Default: `filesystem`. Example: `oci`.'),
    platforms: doc(strings(), 'With format `oci`: the platforms to include. Default: the build platform. Example: `[linux/amd64, linux/arm64]`.'),
  }).partial({ image: true, readonly: true, format: true, platforms: true }),
  'A volume built into the image and available to containers by name. Example: `{name: data, image: alpine:3.20}`.',
  'volume',
);

export const trustSchema = doc(
  z.strictObject({
    image: doc(strings(), 'Images to verify with Docker content trust (obsolete; ignored). Default: none. Example: `[linuxkit/kernel]`.'),
    org: doc(strings(), 'Organisations whose images are verified with content trust (obsolete; ignored). Default: none. Example: `[linuxkit]`.'),
  }).partial(),
  'Docker content trust settings. Accepted for old specs; oscompose ignores it and warns. Default: none. Example: `{org: [linuxkit]}`.',
);

// ---------------------------------------------------------------- the spec

export const specSchema = doc(
  z.strictObject({
    kernel: kernelSchema,
    init: doc(strings(), 'Image references unpacked into the root filesystem in order (init, runc, containerd, ca-certificates…). Default: none. Example: `[linuxkit/init:v1.0.0, linuxkit/runc:v1.0.0]`.'),
    onboot: doc(z.array(imageSchema), 'Containers run to completion in order at boot (configuration, disk setup, networking). Default: none. Example: `[{name: dhcpcd, image: linuxkit/dhcpcd:v1.1.0}]`.'),
    onshutdown: doc(z.array(imageSchema), 'Containers run in order at shutdown. Default: none. Example: `[{name: sync, image: busybox, command: [/bin/sync]}]`.'),
    services: doc(z.array(imageSchema), 'Long-running containers started after onboot, in parallel. Default: none. Example: `[{name: getty, image: linuxkit/getty:v1.1.0}]`.'),
    files: doc(z.array(fileSchema), 'Files, directories and symlinks added to the root filesystem after all images. Default: none. Example: `[{path: etc/hostname, contents: "box\\n"}]`.'),
    volumes: doc(z.array(volumeSchema), 'Named volumes, optionally filled from an image, that containers can bind. Default: none. Example: `[{name: data}]`.'),
    trust: trustSchema,
  }).partial(),
  'A LinuxKit spec: the kernel, init images, onboot/onshutdown/service containers, files and volumes of an OS.',
);

export type Spec = z.infer<typeof specSchema>;
export type KernelConfig = z.infer<typeof kernelSchema>;
/** One onboot, onshutdown or service entry (name, image and its OCI settings incl. `runtime`). */
export type ImageConfig = z.infer<typeof imageSchema>;
/** The settings an image may carry in its `org.mobyproject.config` label (no name, no image). */
export type ImageConfigFields = z.infer<typeof imageConfigFieldsSchema>;
export type RuntimeConfig = z.infer<typeof runtimeSchema>;
export type MountConfig = z.infer<typeof mountSchema>;
export type DeviceConfig = z.infer<typeof deviceSchema>;
export type ResourcesConfig = z.infer<typeof resourcesSchema>;
export type FileConfig = z.infer<typeof fileSchema>;
export type VolumeConfig = z.infer<typeof volumeSchema>;
export type ImageSection = 'onboot' | 'onshutdown' | 'services';
export const imageSections: readonly ImageSection[] = ['onboot', 'onshutdown', 'services'];
