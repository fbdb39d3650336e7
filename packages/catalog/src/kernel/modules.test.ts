import { describe, expect, it } from 'vitest';
import { moduleClosure, moduleName, modulesAlias, modulesDep, readModinfo, type ModInfo } from './modules';

/** A minimal ELF64 with section headers: [null, .shstrtab, .modinfo]. */
function fakeModule(modinfo: string[]): Buffer {
  const shstr = Buffer.from('\0.shstrtab\0.modinfo\0');
  const info = Buffer.from(modinfo.join('\0') + '\0');
  const headerSize = 64;
  const shstrOff = headerSize;
  const infoOff = shstrOff + shstr.length;
  const shoff = infoOff + info.length;
  const elf = Buffer.alloc(shoff + 3 * 64);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf[5] = 1;
  elf.writeBigUInt64LE(BigInt(shoff), 0x28);
  elf.writeUInt16LE(64, 0x3a);
  elf.writeUInt16LE(3, 0x3c);
  elf.writeUInt16LE(1, 0x3e);
  shstr.copy(elf, shstrOff);
  info.copy(elf, infoOff);
  const sh = (i: number, name: number, off: number, size: number) => {
    const o = shoff + i * 64;
    elf.writeUInt32LE(name, o);
    elf.writeBigUInt64LE(BigInt(off), o + 0x18);
    elf.writeBigUInt64LE(BigInt(size), o + 0x20);
  };
  sh(1, 1, shstrOff, shstr.length);
  sh(2, 11, infoOff, info.length);
  return elf;
}

describe('kernel modules without depmod', () => {
  it('reads depends= and alias= from .modinfo', () => {
    const info = readModinfo(fakeModule(['license=GPL', 'depends=net_failover,virtio', 'alias=virtio:d00000001v*']));
    expect(info.depends).toEqual(['net_failover,virtio']);
    expect(info.alias).toEqual(['virtio:d00000001v*']);
  });

  const mods: ModInfo[] = [
    { path: 'kernel/drivers/net/virtio_net.ko', name: 'virtio_net', depends: ['net_failover', 'virtio'], aliases: ['virtio:d00000001v*'] },
    { path: 'kernel/drivers/net/net_failover.ko', name: 'net_failover', depends: ['failover'], aliases: [] },
    { path: 'kernel/net/core/failover.ko', name: 'failover', depends: [], aliases: [] },
    { path: 'kernel/drivers/virtio/virtio.ko', name: 'virtio', depends: ['virtio_ring'], aliases: [] },
    { path: 'kernel/drivers/virtio/virtio_ring.ko', name: 'virtio_ring', depends: [], aliases: [] },
    { path: 'kernel/fs/overlayfs/overlay.ko', name: 'overlay', depends: [], aliases: ['fs-overlay'] },
  ];

  it('adds every dependency of the chosen modules and reports unknown names', () => {
    const c = moduleClosure(mods, ['virtio-net', 'nonesuch']);
    expect(c.modules.map((m) => m.name).sort()).toEqual(['failover', 'net_failover', 'virtio', 'virtio_net', 'virtio_ring']);
    expect(c.missing).toEqual(['nonesuch']);
  });

  it('writes modules.dep so that modprobe (loading from the end) loads dependencies first', () => {
    const dep = modulesDep(mods);
    const line = dep.split('\n').find((l) => l.startsWith('kernel/drivers/net/virtio_net.ko:'))!;
    const deps = line.split(': ')[1]!.split(' ');
    const loadOrder = [...deps].reverse();
    expect(loadOrder.indexOf('kernel/net/core/failover.ko')).toBeLessThan(loadOrder.indexOf('kernel/drivers/net/net_failover.ko'));
    expect(loadOrder.indexOf('kernel/drivers/virtio/virtio_ring.ko')).toBeLessThan(loadOrder.indexOf('kernel/drivers/virtio/virtio.ko'));
    expect(dep).toContain('kernel/fs/overlayfs/overlay.ko:\n');
    expect(modulesAlias(mods)).toContain('alias fs-overlay overlay');
    expect(moduleName('kernel/drivers/char/hw_random/virtio-rng.ko')).toBe('virtio_rng');
  });
});
