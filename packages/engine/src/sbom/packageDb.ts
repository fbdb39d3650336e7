// Package databases an image carries: dpkg's var/lib/dpkg/status, apk's lib/apk/db/installed,
// and the Debian packages our starter catalog records in a label at catalog build time. Pure
// parsers: text in, packages out; a malformed record is skipped, never guessed at.

/** One installed package as the SBOM lists it. */
export interface SbomPackage {
  name: string;
  version: string;
  /** Debian/Alpine architecture (amd64, x86_64, all…), when known. */
  arch?: string;
  /** The source package (dpkg Source:, apk origin), when it differs from the name. */
  source?: string;
  license?: string;
  /** Package URL (purl), e.g. pkg:deb/debian/runc@1.1.5%2Bds1-1%2Bb1?arch=amd64 */
  purl: string;
  /** Where the package is known from. */
  from: 'attestation' | 'catalog' | 'dpkg' | 'apk';
}

/** Where each database lives in an image's root filesystem. */
export const DPKG_STATUS = 'var/lib/dpkg/status';
export const APK_INSTALLED = 'lib/apk/db/installed';
/** The starter catalog's label: space-separated `name=version` of the .debs an image was built from. */
export const DEBIAN_PACKAGES_LABEL = 'org.oscompose.debian.packages';

// purl's version and qualifier values are percent-encoded (":" and "+" included).
const enc = (s: string) => encodeURIComponent(s);

export function debPurl(name: string, version: string, arch?: string): string {
  return `pkg:deb/debian/${enc(name)}@${enc(version)}${arch ? `?arch=${enc(arch)}` : ''}`;
}

export function apkPurl(name: string, version: string, arch?: string): string {
  return `pkg:apk/alpine/${enc(name)}@${enc(version)}${arch ? `?arch=${enc(arch)}` : ''}`;
}

/** Paragraphs of a deb822-style file (blank-line separated, continuation lines start with space). */
function paragraphs(text: string): Array<Map<string, string>> {
  const out: Array<Map<string, string>> = [];
  let cur = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (cur.size) out.push(cur);
      cur = new Map();
      last = undefined;
    } else if (/^[ \t]/.test(line)) {
      if (last) cur.set(last, `${cur.get(last)}\n${line.trim()}`);
    } else {
      const i = line.indexOf(':');
      if (i <= 0) continue;
      last = line.slice(0, i).trim().toLowerCase();
      cur.set(last, line.slice(i + 1).trim());
    }
  }
  if (cur.size) out.push(cur);
  return out;
}

/** dpkg's status file: only packages dpkg considers installed (Status: … installed). */
export function parseDpkgStatus(text: string): SbomPackage[] {
  const out: SbomPackage[] = [];
  for (const p of paragraphs(text)) {
    const name = p.get('package');
    const version = p.get('version');
    if (!name || !version) continue;
    const status = p.get('status');
    if (status !== undefined && !/\binstalled$/.test(status)) continue;
    const arch = p.get('architecture');
    // "Source: openssl (3.0.11-1)" names the source package and, when it differs, its version.
    const source = p.get('source')?.split(/\s+/)[0];
    out.push({ name, version, ...(arch ? { arch } : {}), ...(source && source !== name ? { source } : {}), purl: debPurl(name, version, arch), from: 'dpkg' });
  }
  return out;
}

/** apk's installed database: records of `X:value` lines (P name, V version, A arch, o origin, L license). */
export function parseApkInstalled(text: string): SbomPackage[] {
  const out: SbomPackage[] = [];
  for (const record of text.split(/\n\s*\n/)) {
    const f = new Map<string, string>();
    for (const line of record.split('\n')) {
      const m = /^([A-Za-z]):(.*)$/.exec(line);
      // The first occurrence wins: later ones (file lists: F:, R:) do not name the package.
      if (m && !f.has(m[1]!)) f.set(m[1]!, m[2]!);
    }
    const name = f.get('P');
    const version = f.get('V');
    if (!name || !version) continue;
    const arch = f.get('A');
    const origin = f.get('o');
    const license = f.get('L');
    out.push({
      name, version, ...(arch ? { arch } : {}), ...(origin && origin !== name ? { source: origin } : {}), ...(license ? { license } : {}),
      purl: apkPurl(name, version, arch), from: 'apk',
    });
  }
  return out;
}

/** The starter catalog's label (`busybox-static=1:1.35.0-4+b3 runc=…`); arch is the image's. */
export function parseDebianLabel(label: string, arch?: string): SbomPackage[] {
  const out: SbomPackage[] = [];
  for (const item of label.split(/\s+/)) {
    const i = item.indexOf('=');
    if (i <= 0 || i === item.length - 1) continue;
    const name = item.slice(0, i);
    const version = item.slice(i + 1);
    out.push({ name, version, ...(arch ? { arch } : {}), purl: debPurl(name, version, arch), from: 'catalog' });
  }
  return out;
}
