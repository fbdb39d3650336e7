// Pure parsing of the Debian archive's indexes: the Release file's hash list and the Packages
// index stanzas. The I/O that fetches them lives in archive.ts.

import { compareDebVersions } from './version';

export interface DebPackage {
  name: string;
  version: string;
  architecture: string;
  /** Path relative to the archive root, e.g. pool/main/b/busybox/busybox-static_…_amd64.deb */
  filename: string;
  size: number;
  sha256: string;
  depends: string[];
  /** Archive root URL the filename is relative to (set by the fetcher). */
  archive?: string;
  suite?: string;
}

/** Splits a deb822 document (Packages index) into field maps; continuation lines are joined. */
export function parseDeb822(text: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  let cur: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (Object.keys(cur).length) out.push(cur);
      cur = {};
      last = undefined;
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      cur[last] += '\n' + line.slice(1);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon);
    cur[last] = line.slice(colon + 1).trim();
  }
  if (Object.keys(cur).length) out.push(cur);
  return out;
}

/** Names of the packages in a Depends/Pre-Depends field (first alternative, no versions). */
export function parseDepends(field: string | undefined): string[] {
  if (!field) return [];
  return field
    .split(',')
    .map((d) => d.split('|')[0]!.trim().split(/[\s(:]/)[0]!)
    .filter(Boolean);
}

/** Parses a Packages index into a map name → newest stanza in that index. */
export function parsePackagesIndex(text: string): Map<string, DebPackage> {
  const map = new Map<string, DebPackage>();
  for (const s of parseDeb822(text)) {
    if (!s.Package || !s.Filename || !s.SHA256) continue;
    const pkg: DebPackage = {
      name: s.Package,
      version: s.Version ?? '',
      architecture: s.Architecture ?? '',
      filename: s.Filename,
      size: Number(s.Size ?? 0),
      sha256: s.SHA256.toLowerCase(),
      depends: [...parseDepends(s['Pre-Depends']), ...parseDepends(s.Depends)],
    };
    const prev = map.get(pkg.name);
    if (!prev || compareDebVersions(pkg.version, prev.version) > 0) map.set(pkg.name, pkg);
  }
  return map;
}

/** The SHA256 section of a Release/InRelease file: path → { sha256, size }. */
export function parseReleaseHashes(text: string): Map<string, { sha256: string; size: number }> {
  const out = new Map<string, { sha256: string; size: number }>();
  let inSha = false;
  for (const line of text.split('\n')) {
    if (/^SHA256:/.test(line)) {
      inSha = true;
      continue;
    }
    if (inSha) {
      if (!line.startsWith(' ')) {
        inSha = false;
        continue;
      }
      const [sha, size, path] = line.trim().split(/\s+/);
      if (sha && size && path) out.set(path, { sha256: sha.toLowerCase(), size: Number(size) });
    }
  }
  return out;
}

/** Picks the newest version of `name` among several indexes (suites). */
export function pickNewest(name: string, indexes: Array<Map<string, DebPackage>>): DebPackage | undefined {
  let best: DebPackage | undefined;
  for (const idx of indexes) {
    const p = idx.get(name);
    if (p && (!best || compareDebVersions(p.version, best.version) > 0)) best = p;
  }
  return best;
}
