// Build-time check that every dynamically linked program in an image finds its libraries in
// the same image: a recipe that forgets a package (libgmp10 for dropbear's libtomcrypt) fails
// the build with the library's name instead of a container that dies at boot with exit 127.

import type { FsEntry } from '@oscompose/engine';

const LIB_DIRS = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib64', 'lib', 'usr/lib', 'usr/local/lib'];

/** DT_NEEDED names of a little-endian ELF64 file; undefined when it is not one (or is static). */
export function neededLibraries(elf: Buffer): string[] | undefined {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) return undefined;
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  if (!shoff || shoff + shnum * shentsize > elf.length) return undefined;
  const sections = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * shentsize;
    return { type: elf.readUInt32LE(o + 4), offset: Number(elf.readBigUInt64LE(o + 0x18)), size: Number(elf.readBigUInt64LE(o + 0x20)), link: elf.readUInt32LE(o + 0x28) };
  });
  const dynamic = sections.find((s) => s.type === 6); // SHT_DYNAMIC
  if (!dynamic) return undefined;
  const strtab = sections[dynamic.link];
  if (!strtab) return undefined;
  const out: string[] = [];
  for (let o = dynamic.offset; o + 16 <= dynamic.offset + dynamic.size; o += 16) {
    const tag = elf.readBigInt64LE(o);
    if (tag === 0n) break;
    if (tag !== 1n) continue; // DT_NEEDED
    const at = strtab.offset + Number(elf.readBigUInt64LE(o + 8));
    out.push(elf.toString('latin1', at, elf.indexOf(0, at)));
  }
  return out;
}

/** "program needs lib" for each library no lib directory of the image holds. */
export function missingLibraries(entries: FsEntry[]): string[] {
  const names = new Set(entries.filter((e) => e.type === 'file' || e.type === 'symlink').map((e) => e.path));
  const problems: string[] = [];
  for (const e of entries) {
    if (e.type !== 'file' || !Buffer.isBuffer(e.content) || (e.mode & 0o111) === 0 && !/\.so(\.|$)/.test(e.path)) continue;
    for (const lib of neededLibraries(e.content) ?? []) {
      if (!LIB_DIRS.some((d) => names.has(`${d}/${lib}`))) problems.push(`${e.path} needs ${lib}`);
    }
  }
  return problems;
}
