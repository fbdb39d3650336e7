import { describe, expect, it } from 'vitest';
import { marshalIndent } from './go-json';
import { configToOCI, runtimeJson } from './runtime-config';

const label = JSON.stringify({ net: 'host', pid: 'host', ipc: 'host', capabilities: ['CAP_SYS_ADMIN'], readonly: true, binds: ['/etc/sysctl.d:/etc/sysctl.d'] });
const sysctlImage = { Entrypoint: ['/usr/bin/sysctl'], Cmd: null, Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], Labels: { 'org.mobyproject.config': label } };

describe('configToOCI (LinuxKit ConfigToOCI)', () => {
  it('writes the config.json LinuxKit writes for a labelled read-only onboot image', () => {
    const { oci, readonly } = configToOCI({ yaml: { name: 'sysctl', image: 'linuxkit/sysctl:v1' }, image: sysctlImage, idMap: new Map(), location: 'onboot[0]' });
    expect(readonly).toBe(true);
    expect(marshalIndent(oci)).toBe(`{
    "ociVersion": "1.2.1",
    "process": {
        "user": {
            "uid": 0,
            "gid": 0
        },
        "args": [
            "/usr/bin/sysctl"
        ],
        "env": [
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
        ],
        "cwd": "/",
        "capabilities": {
            "bounding": [
                "CAP_SYS_ADMIN"
            ],
            "effective": [
                "CAP_SYS_ADMIN"
            ],
            "inheritable": [
                "CAP_SYS_ADMIN"
            ],
            "permitted": [
                "CAP_SYS_ADMIN"
            ]
        }
    },
    "root": {
        "path": "rootfs",
        "readonly": true
    },
    "mounts": [
        {
            "destination": "/dev",
            "type": "tmpfs",
            "source": "tmpfs",
            "options": [
                "nosuid",
                "strictatime",
                "mode=755",
                "size=65536k",
                "ro"
            ]
        },
        {
            "destination": "/dev/pts",
            "type": "devpts",
            "source": "devpts",
            "options": [
                "nosuid",
                "noexec",
                "newinstance",
                "ptmxmode=0666",
                "mode=0620"
            ]
        },
        {
            "destination": "/etc/sysctl.d",
            "type": "bind",
            "source": "/etc/sysctl.d",
            "options": [
                "rw",
                "rbind",
                "rshared"
            ]
        },
        {
            "destination": "/proc",
            "type": "proc",
            "source": "proc",
            "options": [
                "nosuid",
                "nodev",
                "noexec",
                "relatime"
            ]
        },
        {
            "destination": "/sys",
            "type": "sysfs",
            "source": "sysfs",
            "options": [
                "nosuid",
                "noexec",
                "nodev",
                "ro"
            ]
        },
        {
            "destination": "/sys/fs/cgroup",
            "type": "cgroup",
            "source": "cgroup",
            "options": [
                "nosuid",
                "noexec",
                "nodev",
                "relatime",
                "ro"
            ]
        }
    ],
    "linux": {
        "resources": {},
        "namespaces": [
            {
                "type": "mount"
            }
        ]
    }
}`);
  });

  it('lets YAML override the label and the label override the image', () => {
    const { oci } = configToOCI({
      yaml: { name: 'x', image: 'x', command: ['/bin/sh', '-c', 'a && b < c'], env: ['A=1'], cwd: '/srv', readonly: false, 'capabilities.add': ['CAP_NET_ADMIN'] },
      image: { ...sysctlImage, WorkingDir: '/work' },
      idMap: new Map(),
      location: 'services[0]',
    });
    const text = marshalIndent(oci);
    const parsed = JSON.parse(text);
    expect(parsed.process.args).toEqual(['/bin/sh', '-c', 'a && b < c']);
    expect(text).toContain('"a \\u0026\\u0026 b \\u003c c"'); // Go's HTML-safe escaping
    expect(parsed.process.env).toEqual(['A=1']);
    expect(parsed.process.cwd).toBe('/srv');
    expect(parsed.root).toEqual({ path: 'rootfs' });
    expect(parsed.process.capabilities.effective).toEqual(['CAP_SYS_ADMIN', 'CAP_NET_ADMIN']);
    expect(parsed.process.capabilities.bounding).toEqual(['CAP_NET_ADMIN', 'CAP_SYS_ADMIN']);
  });

  it('defaults to a new pid namespace, image cwd and no capabilities', () => {
    const { oci } = configToOCI({ yaml: { name: 'x', image: 'x' }, image: { Cmd: ['/bin/sh'], WorkingDir: '/w' }, idMap: new Map(), location: 'services[0]' });
    const parsed = JSON.parse(marshalIndent(oci));
    expect(parsed.linux.namespaces).toEqual([{ type: 'pid' }, { type: 'mount' }]);
    expect(parsed.process.cwd).toBe('/w');
    expect(parsed.process.capabilities).toEqual({});
    expect(parsed.process.env).toBeUndefined();
  });

  it('expands "all" capabilities, named uids, rlimits, devices, namespaces with paths', () => {
    const { oci } = configToOCI({
      yaml: {
        name: 'x', image: 'x', capabilities: ['all'], uid: 'dhcpcd', gid: 5, additionalGids: ['root', 7],
        rlimits: ['nofile,10240,unlimited'], net: '/run/netns/x', uts: 'new',
        devices: [{ path: '/dev/kvm', type: 'c', major: 10, minor: 232, mode: '0666' }, { path: 'all', type: 'b' }],
        sysctl: { 'net.b': '1', 'net.a': '2' }, tmpfs: ['/run:size=10m,mode=0755'], oomScoreAdj: -500, noNewPrivileges: true,
      },
      image: {}, idMap: new Map([['dhcpcd', 101]]), location: 'services[0]',
    });
    const text = marshalIndent(oci);
    const p = JSON.parse(text);
    expect(p.process.capabilities.effective).toHaveLength(41);
    expect(p.process.capabilities.effective[0]).toBe('CAP_CHOWN');
    expect(p.process.capabilities.bounding[0]).toBe('CAP_AUDIT_CONTROL');
    expect(p.process.user).toEqual({ uid: 101, gid: 5, additionalGids: [0, 7] });
    expect(text).toContain('"type": "RLIMIT_NOFILE",\n                "hard": 18446744073709551615,\n                "soft": 10240');
    expect(p.linux.namespaces).toEqual([{ type: 'network', path: '/run/netns/x' }, { type: 'uts' }, { type: 'pid' }, { type: 'mount' }]);
    expect(p.linux.devices).toEqual([{ path: '/dev/kvm', type: 'c', major: 10, minor: 232, fileMode: 0o666 }]);
    expect(p.linux.resources.devices).toEqual([{ allow: true, type: 'c', major: 10, minor: 232, access: 'rwm' }, { allow: true, type: 'b', access: 'rwm' }]);
    expect(Object.keys(p.linux.sysctl)).toEqual(['net.a', 'net.b']);
    expect(p.mounts.find((m: { destination: string }) => m.destination === '/run')).toEqual({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['size=10m', 'mode=0755'] });
    expect(p.process.oomScoreAdj).toBe(-500);
    expect(p.process.noNewPrivileges).toBe(true);
    // Go struct order: process before root, linux last; user before args.
    expect(Object.keys(p)).toEqual(['ociVersion', 'process', 'root', 'mounts', 'linux']);
  });

  it('rejects what LinuxKit rejects, naming the container', () => {
    expect(() => configToOCI({ yaml: { name: 'x', image: 'x', capabilities: ['CAP_NOPE'] }, image: {}, idMap: new Map(), location: 'onboot[1]' })).toThrow(/onboot\[1\]: unknown capability: CAP_NOPE/);
    expect(() => configToOCI({ yaml: { name: 'x', image: 'x', uid: 'nobody' }, image: {}, idMap: new Map(), location: 'onboot[1]' })).toThrow(/cannot find id "nobody"/);
    expect(() => configToOCI({ yaml: { name: 'x', image: 'x', binds: ['/a'] }, image: {}, idMap: new Map(), location: 's' })).toThrow(/missing ':'/);
  });

  it('writes runtime.json with the rootfs mounts first and every field present', () => {
    const { runtime } = configToOCI({ yaml: { name: 'x', image: 'x', runtime: { mkdir: ['/var/lib/x'], bindNS: { net: '/run/netns/x' } } }, image: {}, idMap: new Map(), location: 's' });
    const text = marshalIndent(runtimeJson(runtime, [{ destination: '/containers/services/x/rootfs', source: '/containers/services/x/rootfs', options: ['bind'] }]));
    expect(text).toBe(`{
    "cgroups": [],
    "mounts": [
        {
            "destination": "/containers/services/x/rootfs",
            "source": "/containers/services/x/rootfs",
            "options": [
                "bind"
            ]
        }
    ],
    "mkdir": [
        "/var/lib/x"
    ],
    "interfaces": [],
    "bindNS": {
        "cgroup": "",
        "ipc": "",
        "mnt": "",
        "net": "/run/netns/x",
        "pid": "",
        "user": "",
        "uts": ""
    },
    "namespace": ""
}`);
  });

  it('sorts mounts by destination string, as the current LinuxKit ConfigToOCI does (not by depth)', () => {
    const { oci } = configToOCI({ yaml: { name: 'x', image: 'x', binds: ['/a:/etc/a', '/b:/z'], tmpfs: ['/dev/shm'] }, image: {}, idMap: new Map(), location: 'services[0]' });
    const dests = (JSON.parse(marshalIndent(oci)).mounts as { destination: string }[]).map((m) => m.destination);
    expect(dests).toEqual(['/dev', '/dev/pts', '/dev/shm', '/etc/a', '/proc', '/sys', '/sys/fs/cgroup', '/z']);
  });
});
