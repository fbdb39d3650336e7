import { describe, expect, it } from 'vitest';
import { DebianArchive, sha256Hex, verifyDeb } from './archive';
import { parseDepends, parsePackagesIndex, parseReleaseHashes, pickNewest } from './packagesIndex';
import { compareDebVersions } from './version';
import { DebianError } from '../errors';

const PACKAGES = `Package: busybox-static
Version: 1:1.35.0-4+b3
Architecture: amd64
Depends: libc6 (>= 2.34), foo | bar
Filename: pool/main/b/busybox/busybox-static_1.35.0-4+b3_amd64.deb
Size: 4
SHA256: ${sha256Hex('good')}
Description: old
 continued

Package: busybox-static
Version: 1:1.35.0-4+deb12u1+b1
Architecture: amd64
Filename: pool/main/b/busybox/busybox-static_1.35.0-4+deb12u1+b1_amd64.deb
Size: 4
SHA256: ${sha256Hex('good')}
`;

describe('Debian indexes', () => {
  it('compares versions as dpkg does (epochs, ~, revisions)', () => {
    expect(compareDebVersions('1:1.0', '2.0')).toBeGreaterThan(0);
    expect(compareDebVersions('1.0~rc1', '1.0')).toBeLessThan(0);
    expect(compareDebVersions('6.1.192-2', '6.1.191-1')).toBeGreaterThan(0);
    expect(compareDebVersions('1.35.0-4+deb12u1+b1', '1.35.0-4+b3')).toBeGreaterThan(0);
    expect(compareDebVersions('2.36-9+deb12u10', '2.36-9+deb12u9')).toBeGreaterThan(0);
    expect(compareDebVersions('1.0', '1.0')).toBe(0);
  });

  it('parses a Packages index and keeps the newest version of each package', () => {
    const idx = parsePackagesIndex(PACKAGES);
    const p = idx.get('busybox-static')!;
    expect(p.version).toBe('1:1.35.0-4+deb12u1+b1');
    expect(p.sha256).toBe(sha256Hex('good'));
    expect(parseDepends('libc6 (>= 2.34), foo | bar, baz:any')).toEqual(['libc6', 'foo', 'baz']);
  });

  it('picks the newest across suites (security over the point release)', () => {
    const a = parsePackagesIndex(PACKAGES.replace(/\+deb12u1\+b1/g, '+b9'));
    const b = parsePackagesIndex(PACKAGES);
    expect(pickNewest('busybox-static', [a, b])!.version).toBe('1:1.35.0-4+deb12u1+b1');
  });

  it('reads the SHA256 list of a Release file', () => {
    const rel = `Origin: Debian\nMD5Sum:\n 0123 10 main/binary-amd64/Packages.xz\nSHA256:\n ${'ab'.repeat(32)}  8790396 main/binary-amd64/Packages.xz\n ${'cd'.repeat(32)} 50060337 main/binary-amd64/Packages\n`;
    const h = parseReleaseHashes(rel);
    expect(h.get('main/binary-amd64/Packages.xz')).toEqual({ sha256: 'ab'.repeat(32), size: 8790396 });
    expect(h.size).toBe(2);
  });

  it('refuses a .deb whose bytes do not match the index', () => {
    const pkg = parsePackagesIndex(PACKAGES).get('busybox-static')!;
    expect(() => verifyDeb(pkg, Buffer.from('good'))).not.toThrow();
    expect(() => verifyDeb(pkg, Buffer.from('evil'))).toThrow(DebianError);
    expect(() => verifyDeb(pkg, Buffer.from('evil'))).toThrow(/refusing a corrupted or tampered \.deb/);
  });

  it('a corrupted download never reaches the cache', async () => {
    const { mkdtemp, readdir } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const cacheDir = await mkdtemp(join(tmpdir(), 'oscompose-debs-'));
    const corrupt = (async () => new Response('evil')) as unknown as typeof fetch;
    const archive = new DebianArchive({ cacheDir, fetchImpl: corrupt });
    const pkg = { ...parsePackagesIndex(PACKAGES).get('busybox-static')!, archive: 'http://deb.example' };
    await expect(archive.fetchDeb(pkg)).rejects.toThrow(/does not match the Packages index/);
    await expect(readdir(join(cacheDir, 'debs', 'sha256')).catch(() => [])).resolves.toEqual([]);
  });
});
