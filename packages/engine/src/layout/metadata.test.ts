import { describe, expect, it } from 'vitest';
import type { Spec } from '@oscompose/spec';
import { specMetadata } from './metadata';

const spec: Spec = {
  kernel: { image: 'linuxkit/kernel:6.6.71', cmdline: 'console=ttyS0' },
  init: ['linuxkit/init:abc'],
  onboot: [{ name: 'dhcpcd', image: 'linuxkit/dhcpcd:x', command: ['/sbin/dhcpcd', '-1'] }],
  files: [{ path: 'etc/linuxkit-config', metadata: 'yaml' }, { path: 'etc/x', contents: 'a\nb\n', mode: '0644' }],
};

describe('files metadata (the spec as LinuxKit writes it)', () => {
  it('writes YAML as Go yaml.v2 marshals the config: expanded references, every section, quoted ambiguous strings', () => {
    expect(specMetadata(spec, 'yaml').toString()).toBe(`kernel:
  image: docker.io/linuxkit/kernel:6.6.71
  cmdline: console=ttyS0
init:
- docker.io/linuxkit/init:abc
onboot:
- name: dhcpcd
  image: docker.io/linuxkit/dhcpcd:x
  command:
  - /sbin/dhcpcd
  - "-1"
onshutdown: []
services: []
files:
- path: etc/linuxkit-config
  directory: false
  metadata: yaml
  optional: false
- path: etc/x
  directory: false
  contents: |
    a
    b
  optional: false
  mode: "0644"
volumes: []
`);
  });

  it('expands references as LinuxKit ReferenceExpand: Docker Hub domain, no default tag; volume images as written', () => {
    const j = JSON.parse(specMetadata({ init: ['alpine', 'ghcr.io/a/b'], volumes: [{ name: 'v', image: 'alpine' }] } as Spec, 'json').toString());
    expect(j.init).toEqual(['docker.io/library/alpine', 'ghcr.io/a/b']);
    expect(j.volumes).toEqual([{ name: 'v', image: 'alpine' }]);
  });

  it('writes JSON with Go field order and null for absent sections', () => {
    const j = JSON.parse(specMetadata(spec, 'json').toString());
    expect(Object.keys(j)).toEqual(['kernel', 'init', 'onboot', 'onshutdown', 'services', 'files', 'volumes']);
    expect(j.onshutdown).toBeNull();
    expect(j.files[0]).toEqual({ path: 'etc/linuxkit-config', directory: false, metadata: 'yaml', optional: false });
    expect(specMetadata(spec, 'json').toString()).toMatch(/^{\n    "kernel": {\n        "image": "docker.io\/linuxkit\/kernel:6.6.71",/);
  });
});
