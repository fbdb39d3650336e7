import { describe, expect, it } from 'vitest';
import type { Spec } from '@oscompose/spec';
import type { FsEntry } from '../oci/entry';
import { referenceExpand, planSections, type PlannedImage, type SectionPlan } from './plan';
import { containerEntries } from './sections';

// Pins LinuxKit's moby/build/build.go Build() + outputImage() + image.go ImageBundle().
const D1 = `sha256:${'1'.repeat(64)}`;
const images = new Map<string, PlannedImage>([
  ['linuxkit/sysctl:v1', { ref: 'linuxkit/sysctl:v1', digest: D1, config: { Labels: { 'org.mobyproject.config': '{"readonly": true}' } } }],
  ['docker.io/linuxkit/sysctl:v1', { ref: 'docker.io/linuxkit/sysctl:v1', digest: D1, config: { Labels: { 'org.mobyproject.config': '{"readonly": true}' } } }],
  [`linuxkit/sysctl@${D1}`, { ref: `linuxkit/sysctl@${D1}`, digest: D1, config: { Labels: { 'org.mobyproject.config': '{"readonly": true}' } } }],
  ['alpine:3.20', { ref: 'alpine:3.20', digest: `sha256:${'2'.repeat(64)}`, config: { Cmd: ['/bin/sh'] } }],
]);
const containers = (plan: { sections: SectionPlan[] }) => plan.sections.filter((s): s is Extract<SectionPlan, { kind: 'container' }> => s.kind === 'container');

async function list(s: Extract<SectionPlan, { kind: 'container' }>) {
  const out: string[] = [];
  const flatten = async function* (): AsyncGenerator<FsEntry> {
    yield { path: 'bin', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 };
  };
  for await (const e of containerEntries(s, flatten)) out.push(`${e.type} ${e.path} ${e.mode.toString(8)}`);
  return out;
}

describe('referenceExpand (LinuxKit util.ReferenceExpand, the sharing key)', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine'],
    ['alpine:latest', 'docker.io/library/alpine:latest'],
    ['linuxkit/init:v1', 'docker.io/linuxkit/init:v1'],
    ['localhost/x:y', 'localhost/x:y'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000/x'],
    ['ghcr.io/a/b:c', 'ghcr.io/a/b:c'],
  ])('%s → %s', (ref, key) => expect(referenceExpand(ref)).toBe(key));
});

describe('planSections (LinuxKit Build)', () => {
  it('numbers onboot/onshutdown from 000, names services bare, allocates ids 100… across sections', () => {
    const spec = {
      onboot: [{ name: 'a', image: 'alpine:3.20' }, { name: 'b', image: 'alpine:3.20' }],
      onshutdown: [{ name: 'c', image: 'alpine:3.20' }],
      services: [{ name: 'd', image: 'alpine:3.20' }],
    } as unknown as Spec;
    const plan = planSections(spec, images);
    expect(containers(plan).map((c) => c.path)).toEqual(['containers/onboot/000-a', 'containers/onboot/001-b', 'containers/onshutdown/000-c', 'containers/services/d']);
    expect([...plan.idMap]).toEqual([['a', 100], ['b', 101], ['c', 102], ['d', 103]]);
  });

  it('stores an image once per expanded reference string, as LinuxKit dupMap does (not per digest)', () => {
    const spec = {
      onboot: [
        { name: 'a', image: 'linuxkit/sysctl:v1' },
        { name: 'b', image: 'docker.io/linuxkit/sysctl:v1' },
        { name: 'c', image: `linuxkit/sysctl@${D1}` },
      ],
    } as unknown as Spec;
    const [a, b, c] = containers(planSections(spec, images));
    expect([a!.reuses, a!.root]).toEqual([false, 'containers/onboot/000-a/rootfs']);
    expect([b!.reuses, b!.root]).toEqual([true, 'containers/onboot/000-a/rootfs']);
    // same digest, different reference: LinuxKit unpacks it again
    expect([c!.reuses, c!.root]).toEqual([false, 'containers/onboot/002-c/rootfs']);
    expect(JSON.parse(b!.runtimeJson).mounts[0]).toEqual({ destination: '/containers/onboot/001-b/rootfs', source: '/containers/onboot/000-a/rootfs', options: ['bind'] });
  });

  it('lays out bundles as ImageBundle: lower/ + config.json + tmp/ + rootfs/ + runtime.json, or rootfs/ when read-only', async () => {
    const spec = {
      onboot: [{ name: 'ro', image: 'linuxkit/sysctl:v1' }, { name: 'ro2', image: 'linuxkit/sysctl:v1' }],
      services: [{ name: 'rw', image: 'alpine:3.20' }],
    } as unknown as Spec;
    const [ro, ro2, rw] = containers(planSections(spec, images));
    expect(await list(ro!)).toEqual([
      'dir containers 755', 'dir containers/onboot 755', 'dir containers/onboot/000-ro 755', 'dir containers/onboot/000-ro/rootfs 755',
      'dir containers/onboot/000-ro/rootfs/bin 755',
      'dir containers/onboot/000-ro/rootfs/dev 755', 'dir containers/onboot/000-ro/rootfs/dev/pts 755', 'dir containers/onboot/000-ro/rootfs/dev/shm 755',
      'dir containers/onboot/000-ro/rootfs/etc 755', 'file containers/onboot/000-ro/rootfs/etc/hosts 644', 'symlink containers/onboot/000-ro/rootfs/etc/mtab 755',
      'file containers/onboot/000-ro/rootfs/etc/resolv.conf 644', 'dir containers/onboot/000-ro/rootfs/proc 755', 'dir containers/onboot/000-ro/rootfs/sys 755',
      'file containers/onboot/000-ro/config.json 644', 'file containers/onboot/000-ro/runtime.json 644',
    ]);
    expect(await list(ro2!)).toEqual([
      'dir containers 755', 'dir containers/onboot 755', 'dir containers/onboot/001-ro2 755',
      'file containers/onboot/001-ro2/config.json 644', 'dir containers/onboot/001-ro2/rootfs 755', 'file containers/onboot/001-ro2/runtime.json 644',
    ]);
    const rwList = await list(rw!);
    expect(rwList.slice(0, 4)).toEqual(['dir containers 755', 'dir containers/services 755', 'dir containers/services/rw 755', 'dir containers/services/rw/lower 755']);
    expect(rwList.slice(-4)).toEqual(['file containers/services/rw/config.json 644', 'dir containers/services/rw/tmp 755', 'dir containers/services/rw/rootfs 755', 'file containers/services/rw/runtime.json 644']);
    expect(JSON.parse(rw!.runtimeJson).mounts.slice(0, 3)).toEqual([
      { destination: '/containers/services/rw/tmp', type: 'tmpfs', source: 'tmpfs' },
      { destination: '/containers/services/rw/tmp', options: ['remount', 'private'] },
      { destination: '/containers/services/rw/rootfs', type: 'overlay', source: 'overlay', options: ['lowerdir=/containers/services/rw/lower', 'upperdir=/containers/services/rw/tmp/upper', 'workdir=/containers/services/rw/tmp/work'] },
    ]);
  });
});

describe('bindVolumes (LinuxKit updateMountsAndBindsFromVolumes)', () => {
  it('rewrites volume binds to the merged dir and refuses unknown or read-write uses of read-only volumes', () => {
    const base = { volumes: [{ name: 'data' }, { name: 'cfg', readonly: true }] };
    const plan = (c: object) => planSections({ ...base, services: [{ name: 's', image: 'alpine:3.20', ...c }] } as unknown as Spec, images);
    const mounts = (c: object) => JSON.parse(containers(plan(c))[0]!.configJson).mounts as { destination: string; source: string }[];
    expect(mounts({ binds: ['data:/data', 'cfg:/cfg:ro'] }).filter((m) => m.destination === '/data' || m.destination === '/cfg').map((m) => m.source)).toEqual(['/containers/volumes/cfg/merged', '/containers/volumes/data/merged']);
    expect(() => plan({ binds: ['cfg:/cfg'] })).toThrow(/read-only/);
    expect(() => plan({ binds: ['nope:/x'] })).toThrow(/volume nope not found/);
    expect(() => plan({ mounts: [{ type: 'bind', source: 'cfg', destination: '/c', options: ['rbind'] }] })).toThrow(/read-only/);
    expect(() => plan({ mounts: [{ type: 'bind', source: 'cfg', destination: '/c', options: ['ro', 'rbind'] }] })).not.toThrow();
  });

  it('treats a relative bind source as a volume even when the spec declares none', () => {
    expect(() => planSections({ services: [{ name: 's', image: 'alpine:3.20', binds: ['var:/var'] }] } as unknown as Spec, images)).toThrow(/volume var not found/);
  });
});
