import { describe, expect, it } from 'vitest';
import { findAttestationManifest, spdxLayers, spdxPredicate, ATTESTATION_MANIFEST, SPDX_PREDICATE } from './attestation';
import { parseApkInstalled, parseDebianLabel, parseDpkgStatus } from './packageDb';
import { checkSpdxShape, filterRows, sbomRows } from './read';
import { ociPurl, sbomDocument, serialiseSbom, type SbomImage } from './spdx';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

const DPKG = `Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library
 continuation line: Version: 9

Package: removed-pkg
Status: deinstall ok config-files
Version: 1.0

Package: runc
Status: install ok installed
Architecture: amd64
Version: 1.1.5+ds1-1+b1
`;

const APK = `C:Q1abc=
P:musl
V:1.2.4-r2
A:x86_64
L:MIT
o:musl
F:lib
R:libc.musl-x86_64.so.1

C:Q1def=
P:busybox-binsh
V:1.36.1-r5
A:x86_64
o:busybox
`;

describe('package databases', () => {
  it('reads installed dpkg packages with source and arch, skipping removed ones', () => {
    expect(parseDpkgStatus(DPKG)).toEqual([
      { name: 'libc6', version: '2.36-9+deb12u4', arch: 'amd64', source: 'glibc', purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64', from: 'dpkg' },
      { name: 'runc', version: '1.1.5+ds1-1+b1', arch: 'amd64', purl: 'pkg:deb/debian/runc@1.1.5%2Bds1-1%2Bb1?arch=amd64', from: 'dpkg' },
    ]);
  });
  it('reads apk records (origin only when it differs)', () => {
    const pkgs = parseApkInstalled(APK);
    expect(pkgs.map((p) => [p.name, p.version, p.arch, p.source, p.license])).toEqual([
      ['musl', '1.2.4-r2', 'x86_64', undefined, 'MIT'],
      ['busybox-binsh', '1.36.1-r5', 'x86_64', 'busybox', undefined],
    ]);
    expect(pkgs[0]!.purl).toBe('pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64');
  });
  it("reads the catalog's label (epochs in versions kept), ignoring junk", () => {
    expect(parseDebianLabel('busybox-static=1:1.35.0-4+b3  bad = runc=1.1.5', 'amd64').map((p) => [p.name, p.version, p.purl])).toEqual([
      ['busybox-static', '1:1.35.0-4+b3', 'pkg:deb/debian/busybox-static@1%3A1.35.0-4%2Bb3?arch=amd64'],
      ['runc', '1.1.5', 'pkg:deb/debian/runc@1.1.5?arch=amd64'],
    ]);
  });
});

describe('attestations', () => {
  const index = {
    schemaVersion: 2 as const,
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D1, size: 1, platform: { architecture: 'amd64', os: 'linux' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D2, size: 1, platform: { architecture: 'unknown', os: 'unknown' }, annotations: { 'vnd.docker.reference.type': ATTESTATION_MANIFEST, 'vnd.docker.reference.digest': D1 } },
    ],
  };
  it('finds the attestation manifest of the chosen image, and none for another', () => {
    expect(findAttestationManifest(index, D1)?.digest).toBe(D2);
    expect(findAttestationManifest(index, `sha256:${'3'.repeat(64)}`)).toBeUndefined();
  });
  it('refuses two attestation manifests for one image', () => {
    expect(() => findAttestationManifest({ ...index, manifests: [...index.manifests, index.manifests[1]!] }, D1)).toThrow(/2 attestation manifests/);
  });
  it('takes only SPDX in-toto layers and their predicate', () => {
    const layers = [
      { mediaType: 'application/vnd.in-toto+json', digest: D1, size: 1, annotations: { 'in-toto.io/predicate-type': SPDX_PREDICATE } },
      { mediaType: 'application/vnd.in-toto+json', digest: D2, size: 1, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } },
    ];
    expect(spdxLayers({ schemaVersion: 2, config: layers[0]!, layers }).map((l) => l.digest)).toEqual([D1]);
    expect(spdxPredicate(JSON.stringify({ predicateType: SPDX_PREDICATE, predicate: { spdxVersion: 'SPDX-2.3' } }), 'x')).toEqual({ spdxVersion: 'SPDX-2.3' });
    expect(() => spdxPredicate('{"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}', 'img')).toThrow(/img: unexpected predicate type/);
    expect(() => spdxPredicate('not json', 'img')).toThrow(/img: the SBOM attestation is not JSON/);
  });
});

const attested = {
  spdxVersion: 'SPDX-2.3',
  SPDXID: 'SPDXRef-DOCUMENT',
  documentDescribes: ['SPDXRef-root'],
  packages: [
    { SPDXID: 'SPDXRef-root', name: 'app', versionInfo: '1', downloadLocation: 'NOASSERTION' },
    { SPDXID: 'SPDXRef-Package-openssl', name: 'openssl', versionInfo: '3.0.11', downloadLocation: 'NOASSERTION', packageFileName: 'usr/lib/x' },
  ],
  files: [{ SPDXID: 'SPDXRef-File-1', fileName: '/usr/bin/app', checksums: [] }],
  relationships: [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-root' },
    { spdxElementId: 'SPDXRef-root', relationshipType: 'CONTAINS', relatedSpdxElement: 'SPDXRef-Package-openssl' },
  ],
};

function images(): SbomImage[] {
  return [
    { ref: 'localhost:5000/oscompose/runc:0.1', digest: D1, root: '', sections: ['init'], attestations: [], catalog: parseDebianLabel('runc=1.1.5 libc6=2.36-9', 'amd64'), rootfs: parseDpkgStatus(DPKG) },
    { ref: 'registry.example/team/app:2@' + D2, digest: D2, root: 'containers/services/app/rootfs', sections: ['services app'], attestations: [attested], catalog: [], rootfs: [] },
    { ref: 'localhost:5000/oscompose/runc:0.1', digest: D1, root: '', sections: ['init'], attestations: [], catalog: [], rootfs: [] },
  ];
}

describe('the merged SPDX document', () => {
  const doc = sbomDocument({ name: 'minimal', specDigest: 'ab'.repeat(32), created: 1700000000, engineVersion: '0.1.0', images: images() });

  it('is SPDX 2.3 with a namespace from the spec digest and created from SOURCE_DATE_EPOCH', () => {
    checkSpdxShape(doc);
    expect(doc.documentNamespace).toBe(`https://oscompose.dev/spdx/minimal-${'ab'.repeat(32)}`);
    expect((doc.creationInfo as { created: string }).created).toBe('2023-11-14T22:13:20Z');
    // Same input, same bytes.
    expect(serialiseSbom(sbomDocument({ name: 'minimal', specDigest: 'ab'.repeat(32), created: 1700000000, engineVersion: '0.1.0', images: images() }))).toEqual(serialiseSbom(doc));
  });

  it('names each image once by digest, with a sha256 checksum and an oci purl', () => {
    const imgs = (doc.packages as Array<Record<string, unknown>>).filter((p) => p.primaryPackagePurpose === 'CONTAINER');
    expect(imgs.map((p) => [p.name, p.versionInfo])).toEqual([
      ['localhost:5000/oscompose/runc:0.1', D1],
      ['registry.example/team/app:2', D2],
    ]);
    expect(imgs[0]!.checksums).toEqual([{ algorithm: 'SHA256', checksumValue: '1'.repeat(64) }]);
    expect(ociPurl('localhost:5000/oscompose/runc:0.1', D1)).toBe(`pkg:oci/runc@sha256%3A${'1'.repeat(64)}?repository_url=localhost%3A5000%2Foscompose%2Frunc&tag=0.1`);
  });

  it("prefers the catalog's record to the rootfs databases, and an attestation to both", () => {
    const rows = sbomRows(doc);
    // Each package says where it was found (the build page's "found in" column).
    expect(rows.filter((r) => r.kind === 'package').map((r) => [r.name, r.found])).toEqual([['libc6', 'catalog'], ['runc', 'catalog'], ['app', 'attestation'], ['openssl', 'attestation']]);
    expect(rows.map((r) => [r.kind, r.image, r.name, r.version])).toEqual([
      ['image', 'localhost:5000/oscompose/runc:0.1', 'localhost:5000/oscompose/runc:0.1', D1],
      ['package', 'localhost:5000/oscompose/runc:0.1', 'libc6', '2.36-9'],
      ['package', 'localhost:5000/oscompose/runc:0.1', 'runc', '1.1.5'],
      ['image', 'registry.example/team/app:2', 'registry.example/team/app:2', D2],
      ['package', 'registry.example/team/app:2', 'app', '1'],
      ['package', 'registry.example/team/app:2', 'openssl', '3.0.11'],
    ]);
  });

  it("keeps the attestation's ids apart and prefixes its file names with where the image sits", () => {
    const ids = (doc.packages as Array<{ SPDXID: string }>).map((p) => p.SPDXID);
    expect(ids).toContain('SPDXRef-I2-Package-openssl');
    expect(doc.files).toEqual([{ SPDXID: 'SPDXRef-I2-File-1', fileName: 'containers/services/app/rootfs/usr/bin/app', checksums: [] }]);
    const openssl = (doc.packages as Array<Record<string, unknown>>).find((p) => p.name === 'openssl')!;
    expect(openssl.packageFileName).toBe('containers/services/app/rootfs/usr/lib/x');
    expect(doc.relationships).toContainEqual({ spdxElementId: 'SPDXRef-I2-root', relationshipType: 'CONTAINS', relatedSpdxElement: 'SPDXRef-I2-Package-openssl' });
  });

  it('falls back to the rootfs databases without a catalog record', () => {
    const d = sbomDocument({ name: 'x', specDigest: '0', created: 0, engineVersion: '0', images: [{ ...images()[0]!, catalog: [] }] });
    expect(sbomRows(d).filter((r) => r.kind === 'package').map((r) => [r.name, r.found])).toEqual([['libc6', 'dpkg'], ['runc', 'dpkg']]);
    expect((d.creationInfo as { created: string }).created).toBe('1970-01-01T00:00:00Z');
  });
});

describe('reading SBOMs back', () => {
  it('rejects a document that is not SPDX 2.3', () => {
    expect(() => checkSpdxShape({ spdxVersion: 'SPDX-2.2' })).toThrow(/spdxVersion/);
    expect(() => checkSpdxShape({ ...sbomDocument({ name: 'x', specDigest: '0', created: 0, engineVersion: '0', images: images() }), relationships: [{ spdxElementId: 'SPDXRef-nope', relationshipType: 'CONTAINS', relatedSpdxElement: 'SPDXRef-DOCUMENT' }] })).toThrow(/unknown element SPDXRef-nope/);
  });

  it('searches name, version and image', () => {
    const rows = sbomRows(sbomDocument({ name: 'x', specDigest: '0', created: 0, engineVersion: '0', images: images() }));
    expect(filterRows(rows, 'openssl').map((r) => r.name)).toEqual(['openssl']);
    expect(filterRows(rows, '2.36').map((r) => r.name)).toEqual(['libc6']);
    expect(filterRows(rows, 'team/app').map((r) => r.name)).toEqual(['registry.example/team/app:2', 'app', 'openssl']);
    expect(filterRows(rows, '')).toHaveLength(rows.length);
  });
});
