import { getFormat, qemuDiskFormat } from '@oscompose/engine';
import { describe, expect, it } from 'vitest';
import { bootTargets } from './bootTargets';

const art = (format: string, name: string) => ({ format, name, path: `/out/${name}` });
const opts = { bootOf: (f: string) => getFormat(f)?.boot, qemuDiskFormat, cmdline: 'console=ttyS0' };

describe('bootTargets', () => {
  it('boots each bootable format the way its medium needs', () => {
    const artifacts = [
      art('kernel+initrd', 'x-kernel'),
      art('kernel+initrd', 'x-initrd.img'),
      art('kernel+initrd', 'x-cmdline'),
      art('iso-efi', 'x-efi.iso'),
      art('vhd', 'x.vhd'),
      art('qcow2-efi', 'x-efi.qcow2'),
      art('raw-bios', 'x-bios.img'),
      art('uki', 'x.efi'),
    ];
    const { boot, notBootChecked } = bootTargets(['kernel+initrd', 'iso-efi', 'vhd', 'qcow2-efi', 'raw-bios', 'uki'], artifacts, opts);
    expect(notBootChecked).toEqual([]);
    expect(boot).toEqual([
      { format: 'kernel+initrd', kernel: '/out/x-kernel', initrd: '/out/x-initrd.img', cmdline: 'console=ttyS0', firmware: 'bios' },
      { format: 'iso-efi', iso: '/out/x-efi.iso', firmware: 'efi' },
      { format: 'vhd', disk: '/out/x.vhd', diskFormat: 'vpc', firmware: 'bios' },
      { format: 'qcow2-efi', disk: '/out/x-efi.qcow2', diskFormat: 'qcow2', firmware: 'efi' },
      { format: 'raw-bios', disk: '/out/x-bios.img', diskFormat: 'raw', firmware: 'bios' },
      { format: 'uki', uki: '/out/x.efi', firmware: 'efi' },
    ]);
  });

  it('records formats without a boot medium as not boot-checked, with the reason', () => {
    const { boot, notBootChecked } = bootTargets(['tar', 'kernel+squashfs'], [art('tar', 'x.tar'), art('kernel+squashfs', 'x-squashfs.img')], opts);
    expect(boot).toEqual([]);
    expect(notBootChecked.map((n) => n.format)).toEqual(['tar', 'kernel+squashfs']);
    expect(notBootChecked[0]!.reason).toMatch(/not a bootable medium/);
  });
});
