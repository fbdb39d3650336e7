// Kernel module metadata without depmod: reads each .ko's ELF `.modinfo` section (depends=,
// alias=) and writes modules.dep / modules.alias deterministically for the chosen module set.
// Debian's kernel packages ship no modules.dep (their postinst runs depmod), so we make our own.

export interface ModInfo {
  /** Path relative to /lib/modules/<version>/, e.g. kernel/fs/overlayfs/overlay.ko */
  path: string;
  /** Module name as the kernel knows it (dashes become underscores). */
  name: string;
  depends: string[];
  aliases: string[];
}

export function moduleName(path: string): string {
  const base = path.split('/').pop()!;
  return base.replace(/\.ko(\.(xz|gz|zst))?$/, '').replace(/-/g, '_');
}

/** The NUL-separated key=value strings of the ELF64 `.modinfo` section. */
export function readModinfo(elf: Buffer): Record<string, string[]> {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  if (elf[4] !== 2 || elf[5] !== 1) throw new Error('only little-endian ELF64 modules are supported');
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  const section = (i: number) => {
    const o = shoff + i * shentsize;
    return { name: elf.readUInt32LE(o), offset: Number(elf.readBigUInt64LE(o + 0x18)), size: Number(elf.readBigUInt64LE(o + 0x20)) };
  };
  const strtab = section(shstrndx);
  const out: Record<string, string[]> = {};
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    const nameEnd = elf.indexOf(0, strtab.offset + s.name);
    if (elf.toString('latin1', strtab.offset + s.name, nameEnd) !== '.modinfo') continue;
    for (const kv of elf.toString('latin1', s.offset, s.offset + s.size).split('\0')) {
      const eq = kv.indexOf('=');
      if (eq <= 0) continue;
      (out[kv.slice(0, eq)] ??= []).push(kv.slice(eq + 1));
    }
  }
  return out;
}

export function modInfoOf(path: string, elf: Buffer): ModInfo {
  const info = readModinfo(elf);
  const depends = (info.depends ?? []).flatMap((d) => d.split(',')).filter(Boolean);
  return { path, name: moduleName(path), depends, aliases: info.alias ?? [] };
}

/** The named modules plus everything they depend on (names not found are returned in missing). */
export function moduleClosure(all: ModInfo[], wanted: string[]): { modules: ModInfo[]; missing: string[] } {
  const byName = new Map(all.map((m) => [m.name, m]));
  const seen = new Set<string>();
  const missing: string[] = [];
  const visit = (n: string) => {
    const name = n.replace(/-/g, '_');
    if (seen.has(name)) return;
    const m = byName.get(name);
    if (!m) {
      missing.push(n);
      return;
    }
    seen.add(name);
    m.depends.forEach(visit);
  };
  wanted.forEach(visit);
  return { modules: all.filter((m) => seen.has(m.name)), missing };
}

/** modules.dep as modprobe reads it: each module, then its transitive dependencies in load-reverse order. */
export function modulesDep(mods: ModInfo[]): string {
  const byName = new Map(mods.map((m) => [m.name, m]));
  const lines = [...mods]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((m) => {
      // post-order puts every module after its dependencies; modprobe loads the list from the end
      const post: string[] = [];
      const seen = new Set<string>([m.name]);
      const walk = (n: string) => {
        for (const d of byName.get(n)?.depends ?? []) {
          if (seen.has(d)) continue;
          seen.add(d);
          walk(d);
          post.push(d);
        }
      };
      walk(m.name);
      const order = post.reverse();
      const deps = order.map((d) => byName.get(d)?.path).filter((p): p is string => !!p);
      return `${m.path}:${deps.length ? ' ' + deps.join(' ') : ''}`;
    });
  return lines.join('\n') + '\n';
}

export function modulesAlias(mods: ModInfo[]): string {
  const lines: string[] = ['# Aliases extracted from modules themselves.'];
  for (const m of [...mods].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    for (const a of m.aliases) lines.push(`alias ${a} ${m.name}`);
  }
  return lines.join('\n') + '\n';
}
