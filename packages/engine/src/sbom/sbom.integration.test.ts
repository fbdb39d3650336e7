// The SBOM through the real image path: images pushed to a real registry (Debian's
// docker-registry on 127.0.0.1) — one with a BuildKit SBOM attestation in its index, one with a
// dpkg database, one with an apk database — built twice by the CLI; the initramfs and the tar
// hold sbom.spdx.json, byte-identical across the builds, naming every image by digest and the
// packages of each. With the LinuxKit binary (LINUXKIT=… or on PATH) its tar is compared too.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCpio } from '../initramfs/cpio';
import { readTar } from '../oci/tar';
import { main } from '../cli/main';
import { makeAttestedIndex, makeImage } from '../testing/image';
import { pushImage } from '../testing/registry';
import { startRegistry, type TestRegistry } from '@oscompose/queue/testing';
import { checkSpdxShape, sbomRows } from './read';

let dir: string;
let registry: TestRegistry;
const digests: Record<string, string> = {};

const ATTESTED_SPDX = {
  spdxVersion: 'SPDX-2.3',
  dataLicense: 'CC0-1.0',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'app',
  documentNamespace: 'https://example.invalid/app',
  creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Tool: syft-1.0'] },
  packages: [
    { SPDXID: 'SPDXRef-Package-openssl-1', name: 'openssl', versionInfo: '3.1.4-r5', downloadLocation: 'NOASSERTION', externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:apk/alpine/openssl@3.1.4-r5' }] },
  ],
  files: [{ SPDXID: 'SPDXRef-File-app', fileName: '/usr/bin/app', checksums: [{ algorithm: 'SHA1', checksumValue: '0'.repeat(40) }] }],
  relationships: [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Package-openssl-1' }],
};

const DPKG_STATUS = `Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u9

Package: runc
Status: install ok installed
Architecture: amd64
Version: 1.1.5+ds1-1+deb12u1
`;

function findLinuxkit(): string | undefined {
  if (process.env.LINUXKIT) return process.env.LINUXKIT;
  for (const p of ['/work/tools/linuxkit', ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'linuxkit'))]) if (existsSync(p)) return p;
  return undefined;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oscompose-sbom-int-'));
  registry = await startRegistry();
  const push = async (name: string, img: Parameters<typeof pushImage>[2], digest: string) => {
    await pushImage(registry.host, `sbom/${name}:1`, img);
    digests[name] = digest;
  };
  const kernel = await makeImage({ files: { kernel: Buffer.alloc(2048, 1) } });
  await push('kernel', kernel, kernel.digest);
  const init = await makeImage({ files: { init: { content: '#!/bin/sh\n', mode: 0o755 }, 'var/lib/dpkg/status': DPKG_STATUS } });
  await push('init', init, init.digest);
  const app = await makeImage({ files: { 'usr/bin/app': { content: 'app', mode: 0o755 } }, config: { Cmd: ['/usr/bin/app'] } });
  await push('app', makeAttestedIndex(app, ATTESTED_SPDX), app.digest);
  const alpine = await makeImage({ files: { 'bin/tool': { content: 't', mode: 0o755 }, 'lib/apk/db/installed': 'P:musl\nV:1.2.4-r2\nA:x86_64\n\nP:busybox\nV:1.36.1-r5\nA:x86_64\n' }, config: { Cmd: ['/bin/tool'] } });
  await push('alpine', alpine, alpine.digest);
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const spec = () => `kernel:
  image: ${registry.host}/sbom/kernel:1
  cmdline: "console=ttyS0"
  tar: none
init:
  - ${registry.host}/sbom/init:1
onboot:
  - name: tool
    image: ${registry.host}/sbom/alpine:1
services:
  - name: app
    image: ${registry.host}/sbom/app:1
`;

async function cli(args: string[]): Promise<void> {
  let err = '';
  const code = await main(args, { stdout: { write: () => true } as unknown as NodeJS.WriteStream, stderr: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WriteStream, cwd: dir, env: {} });
  expect(code, err).toBe(0);
}

const initrdFiles = (p: string) => new Map(parseCpio(gunzipSync(readFileSync(p))).filter((m) => (m.mode & 0o170000) === 0o100000).map((m) => [m.name, m]));

async function tarFiles(p: string): Promise<Map<string, { mode: number; data: Buffer }>> {
  const out = new Map<string, { mode: number; data: Buffer }>();
  async function* src() {
    yield readFileSync(p);
  }
  for await (const m of readTar(src())) {
    const parts: Buffer[] = [];
    for await (const c of m.content) parts.push(c);
    if (m.type === 'file') out.set(m.name.replace(/^\.?\//, ''), { mode: m.mode, data: Buffer.concat(parts) });
  }
  return out;
}

describe('the SBOM of a build (sbom.spdx.json)', () => {
  it('is in the initramfs and the tar, identical across builds, with every image and its packages', async () => {
    await writeFile(join(dir, 'system.yml'), spec());
    const common = ['build', '-q', '-f', 'kernel+initrd', '-f', 'tar', '--insecure-registry', registry.host, '--no-section-cache'];
    await cli([...common, '--dir', join(dir, 'a'), '--cache', join(dir, 'cache-a'), join(dir, 'system.yml')]);
    await cli([...common, '--dir', join(dir, 'b'), '--cache', join(dir, 'cache-b'), join(dir, 'system.yml')]);

    const a = initrdFiles(join(dir, 'a', 'system-initrd.img')).get('sbom.spdx.json');
    expect(a, 'sbom.spdx.json in the initramfs').toBeDefined();
    expect(a!.mode & 0o7777).toBe(0o644);
    const b = initrdFiles(join(dir, 'b', 'system-initrd.img')).get('sbom.spdx.json')!;
    expect(Buffer.compare(Buffer.from(a!.data), Buffer.from(b.data))).toBe(0);
    expect(readFileSync(join(dir, 'a', 'system-initrd.img')).equals(readFileSync(join(dir, 'b', 'system-initrd.img')))).toBe(true);

    const doc = JSON.parse(Buffer.from(a!.data).toString());
    checkSpdxShape(doc);
    const rows = sbomRows(doc);
    const imageRows = rows.filter((r) => r.kind === 'image').map((r) => [r.name, r.version]);
    expect(imageRows).toEqual(['kernel', 'init', 'alpine', 'app'].map((n) => [`${registry.host}/sbom/${n}:1`, digests[n]]));
    const inside = (img: string) => rows.filter((r) => r.kind === 'package' && r.image.endsWith(`/sbom/${img}:1`)).map((r) => `${r.name} ${r.version}`);
    expect(inside('init')).toEqual(['libc6 2.36-9+deb12u9', 'runc 1.1.5+ds1-1+deb12u1']); // dpkg database
    expect(inside('alpine')).toEqual(['busybox 1.36.1-r5', 'musl 1.2.4-r2']); // apk database
    expect(inside('app')).toEqual(['openssl 3.1.4-r5']); // the image's attestation
    // The attestation's files sit where the image sits in the root filesystem (LinuxKit's prefix).
    expect((doc.files as { fileName: string }[]).map((f) => f.fileName)).toEqual(['containers/services/app/lower/usr/bin/app']);

    const tar = await tarFiles(join(dir, 'a', 'system.tar'));
    expect(tar.get('sbom.spdx.json')?.data.equals(Buffer.from(a!.data))).toBe(true);
  }, 120_000);

  it('--no-sbom writes none; --sbom-output moves it', async () => {
    await writeFile(join(dir, 'system.yml'), spec());
    await cli(['build', '-q', '--insecure-registry', registry.host, '--no-sbom', '--dir', join(dir, 'none'), '--cache', join(dir, 'cache-a'), join(dir, 'system.yml')]);
    expect([...initrdFiles(join(dir, 'none', 'system-initrd.img')).keys()].filter((n) => n.includes('spdx'))).toEqual([]);
    await cli(['build', '-q', '--insecure-registry', registry.host, '--sbom-output', 'etc/sbom.json', '--dir', join(dir, 'moved'), '--cache', join(dir, 'cache-a'), join(dir, 'system.yml')]);
    expect([...initrdFiles(join(dir, 'moved', 'system-initrd.img')).keys()].filter((n) => n.includes('sbom'))).toEqual(['etc/sbom.json']);
  }, 120_000);

  const linuxkit = findLinuxkit();
  it.skipIf(!linuxkit)('sits where linuxkit build puts it, and merges the same attestation', async () => {
    await writeFile(join(dir, 'system.yml'), spec());
    await mkdir(join(dir, 'lk'), { recursive: true });
    const lk = spawnSync(linuxkit!, ['build', '--format', 'tar', '--cache', join(dir, 'lk-cache'), '--dir', join(dir, 'lk'), '--name', 'system', join(dir, 'system.yml')], { encoding: 'utf8', timeout: 120_000 });
    expect(lk.status, lk.stderr).toBe(0);
    const theirs = await tarFiles(join(dir, 'lk', 'system.tar'));
    const lkSbom = theirs.get('sbom.spdx.json');
    expect(lkSbom, 'linuxkit writes sbom.spdx.json at the root').toBeDefined();
    expect(lkSbom!.mode & 0o7777).toBe(0o644);
    const lkDoc = JSON.parse(lkSbom!.data.toString());
    expect(lkDoc.spdxVersion).toBe('SPDX-2.3');
    // Both name the attested package and prefix the attestation's files the same way.
    expect(lkDoc.packages.map((p: { name: string }) => p.name)).toContain('openssl');
    expect(lkDoc.files.map((f: { fileName: string }) => f.fileName)).toEqual(['containers/services/app/lower/usr/bin/app']);
  }, 180_000);
});
