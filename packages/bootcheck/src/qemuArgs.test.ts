import { describe, expect, it } from 'vitest';
import { qemuArgs, withSerialConsole } from './qemuArgs';
import { bootCheck } from './bootCheck';

describe('qemu command line', () => {
  it('boots kernel+initrd under TCG with the serial console and forwards ports on loopback only', () => {
    const a = qemuArgs({ kernel: '/k', initrd: '/i', cmdline: 'quiet' }, { memoryMb: 512, forwards: [{ host: 4000, guest: 80 }] });
    expect(a).toContain('tcg');
    expect(a.join(' ')).toContain('-kernel /k -initrd /i -append quiet console=ttyS0 panic=-1');
    expect(a.join(' ')).toContain('user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:4000-:80');
    expect(a).not.toContain('kvm');
  });

  it('isolates the guest from the host\'s network (restrict=on), whatever it boots', () => {
    for (const target of [{ kernel: '/k', initrd: '/i' }, { iso: '/a.iso' }, { disk: '/d.raw', firmware: 'efi' as const }]) {
      const netdev = qemuArgs(target, { memoryMb: 512, forwards: [], efiVars: '/v' });
      expect(netdev[netdev.indexOf('-netdev') + 1]).toMatch(/^user,id=n0,restrict=on(,|$)/);
    }
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
    expect(r.verdict).toBe('not checked');
    expect(r.error).toContain('/nonexistent/kernel does not exist');
  });
});

describe('bootCheck with a real qemu', () => {
  it('gives up after the time limit, says why, and leaves no qemu behind', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { execFileSync } = await import('node:child_process');
    const dir = await mkdtemp(join(tmpdir(), 'oscompose-bootcheck-'));
    // An empty "ISO": the firmware finds nothing to boot and waits forever.
    const iso = join(dir, 'nothing-bootable.iso');
    await writeFile(iso, Buffer.alloc(2 * 1024 * 1024));
    try {
      const r = await bootCheck({ iso }, { timeoutMs: 4000, memoryMb: 128 });
      expect(r.ok).toBe(false);
      expect(r.bootComplete).toBe(false);
      expect(r.verdict).toBe('failed');
      expect(r.error).toContain('no userspace reached within 4 s');
      const left = (() => {
        try {
          return execFileSync('pgrep', ['-f', iso]).toString().trim();
        } catch {
          return '';
        }
      })();
      expect(left).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops when the caller aborts', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'oscompose-bootcheck-'));
    const disk = join(dir, 'blank.raw');
    await writeFile(disk, Buffer.alloc(1024 * 1024));
    try {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 1500);
      const r = await bootCheck({ disk, firmware: 'efi' }, { timeoutMs: 120_000, memoryMb: 256, signal: ac.signal });
      expect(r.ok).toBe(false);
      expect(r.error).toContain('aborted');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('no stray qemu', () => {
  it('kills qemu when the process that started it dies without cleaning up', async () => {
    const { spawn, execFileSync } = await import('node:child_process');
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'oscompose-bootcheck-'));
    const iso = join(dir, 'orphan-check.iso');
    await writeFile(iso, Buffer.alloc(1024 * 1024));
    const script = join(dir, 'start.mts');
    await writeFile(script, `import { bootCheck } from ${JSON.stringify(new URL('./index.ts', import.meta.url).pathname)};\nvoid bootCheck({ iso: ${JSON.stringify(iso)} }, { timeoutMs: 600000, memoryMb: 128 });\n`);
    const pids = () => {
      try {
        return execFileSync('pgrep', ['-f', `qemu-system-x86_64.*${iso}`]).toString().trim();
      } catch {
        return '';
      }
    };
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !pids(); i++) await new Promise((r) => setTimeout(r, 200));
      expect(pids()).not.toBe('');
      child.kill('SIGKILL');
      for (let i = 0; i < 50 && pids(); i++) await new Promise((r) => setTimeout(r, 200));
      expect(pids()).toBe('');
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
