import { describe, expect, it } from 'vitest';
import { qemuArgs, withSerialConsole } from './qemuArgs';
import { bootCheck } from './bootCheck';

describe('qemu command line', () => {
  it('boots kernel+initrd under TCG with the serial console and forwards ports on loopback only', () => {
    const a = qemuArgs({ kernel: '/k', initrd: '/i', cmdline: 'quiet' }, { memoryMb: 512, forwards: [{ host: 4000, guest: 80 }] });
    expect(a).toContain('tcg');
    expect(a.join(' ')).toContain('-kernel /k -initrd /i -append quiet console=ttyS0 panic=-1');
    expect(a.join(' ')).toContain('user,id=n0,hostfwd=tcp:127.0.0.1:4000-:80');
    expect(a).not.toContain('kvm');
  });

  it('keeps a console= the caller gave', () => {
    expect(withSerialConsole('console=tty0 console=ttyS0,115200')).toBe('console=tty0 console=ttyS0,115200');
  });

  it('uses OVMF with a private VARS copy for efi disks, and never writes the disk', () => {
    const a = qemuArgs({ disk: '/d.qcow2', firmware: 'efi' }, { memoryMb: 512, forwards: [], efiVars: '/tmp/x/VARS.fd' }).join(' ');
    expect(a).toContain('if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd');
    expect(a).toContain('if=pflash,format=raw,file=/tmp/x/VARS.fd');
    expect(a).toContain('file=/d.qcow2,format=qcow2,if=virtio,snapshot=on');
  });

  it('boots an ISO from the cdrom', () => {
    expect(qemuArgs({ iso: '/a.iso' }, { memoryMb: 512, forwards: [] }).join(' ')).toContain('file=/a.iso,media=cdrom');
  });
});

describe('bootCheck', () => {
  it('says which artifact is missing instead of starting qemu', async () => {
    const r = await bootCheck({ kernel: '/nonexistent/kernel', initrd: '/nonexistent/initrd' });
    expect(r.ok).toBe(false);
    expect(r.error).toContain('/nonexistent/kernel does not exist');
  });
});
