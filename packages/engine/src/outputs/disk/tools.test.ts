import { describe, expect, it } from 'vitest';
import type { OutputFormat } from '../types';
import { diskFormats, qemuDiskFormat } from './index';
import { availableFormats, describeMissing, missingTools } from './tools';

const fake = (name: string, tools: string[]): OutputFormat => ({
  name,
  requires: tools.map((tool) => ({ tool, debianPackage: `pkg-${tool}` })),
  artifacts: () => [],
  write: async () => [],
});

describe('tool checks', () => {
  const formats = [fake('iso-bios', ['xorriso', 'mkfs.fat']), fake('iso-efi', ['xorriso']), fake('uki', ['objcopy'])];
  const present = new Set(['mkfs.fat', 'objcopy']);
  const locate = (t: string) => (present.has(t) ? `/usr/bin/${t}` : undefined);

  it('reports each missing tool once, with the formats that need it and its Debian package', () => {
    const missing = missingTools(formats, locate);
    expect(missing).toEqual([{ tool: 'xorriso', debianPackage: 'pkg-xorriso', formats: ['iso-bios', 'iso-efi'] }]);
    expect(describeMissing(missing)).toEqual(['iso-bios, iso-efi need xorriso (apt-get install pkg-xorriso)']);
  });

  it('advertises only the formats whose tools are all present', () => {
    expect(availableFormats(formats, locate).map((f) => f.name)).toEqual(['uki']);
  });

  it('names every disk format as LinuxKit does, with the artifact names LinuxKit writes', () => {
    expect(Object.fromEntries(diskFormats.map((f) => [f.name, f.artifacts('linuxkit')]))).toEqual({
      'iso-bios': ['linuxkit.iso'],
      'iso-efi': ['linuxkit-efi.iso'],
      'raw-bios': ['linuxkit-bios.img'],
      'raw-efi': ['linuxkit-efi.img'],
      'qcow2-bios': ['linuxkit.qcow2'],
      'qcow2-efi': ['linuxkit-efi.qcow2'],
      vhd: ['linuxkit.vhd'],
      vmdk: ['linuxkit.vmdk'],
      'kernel+squashfs': ['linuxkit-kernel', 'linuxkit-squashfs.img', 'linuxkit-cmdline'],
      uki: ['linuxkit.efi'],
    });
    for (const f of diskFormats) expect(f.requires.every((r) => r.tool && r.debianPackage)).toBe(true);
  });

  it('tells a boot check how to attach each disk artifact', () => {
    expect(['a.qcow2', 'a-efi.qcow2', 'a.vhd', 'a.vmdk', 'a-bios.img', 'a-efi.img'].map(qemuDiskFormat)).toEqual(['qcow2', 'qcow2', 'vpc', 'vmdk', 'raw', 'raw']);
  });
});
