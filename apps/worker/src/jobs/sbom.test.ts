// The build's SBOM end to end: the starter catalog's `minimal` composition built by a real worker
// (real Redis, SQLite, engine) through the API; GET /api/v1/builds/:id/sbom serves the SPDX
// document the engine wrote into the image (the same bytes as sbom.spdx.json in the tar), listing
// busybox, runc, libc6 … with their Debian versions. A second build adds one service from a real
// registry whose image index carries a BuildKit SPDX attestation: its packages are merged, and the
// two SBOMs differ by exactly that image. The SBOM is signed with the artifacts and is not served
// to another team.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { starterCatalogForTests } from '@oscompose/catalog/testing';
import { checkSpdxShape, diffSbom, sbomRows } from '@oscompose/engine';
import { makeAttestedIndex, makeImage, pushImage, spdxFixture } from '@oscompose/engine/testing';
import { startRegistry, type TestRegistry } from '@oscompose/queue/testing';
import { serveApi, type ServedApi } from './testing/api';
import { startPipeline, startWorker, workerReady, type Pipeline, type WorkerProcess } from './testing/harness';

const ATTESTED_SPDX = spdxFixture('audit', [
  { name: 'openssl', version: '3.1.4-r5', supplier: 'Organization: Alpine' },
  { name: 'zlib', version: '1.3.1-r0' },
]);

let p: Pipeline;
let served: ServedApi;
let worker: WorkerProcess;
let registry: TestRegistry;
let minimalYaml: string;
let auditRef: string;
let auditDigest: string;

beforeAll(async () => {
  const catalog = await starterCatalogForTests();
  minimalYaml = catalog.composition('minimal');

  registry = await startRegistry();
  const audit = await makeImage({ files: { 'usr/bin/audit': { content: '#!/bin/sh\n', mode: 0o755 } }, config: { Cmd: ['/usr/bin/audit'] } });
  auditRef = `${registry.host}/sbom/audit:1`;
  auditDigest = audit.digest;
  await pushImage(registry.host, auditRef, makeAttestedIndex(audit, ATTESTED_SPDX));

  p = await startPipeline({ workerEnv: { OSCOMPOSE_IMAGE_STORE: catalog.imageStore, OSCOMPOSE_ALLOWED_REGISTRIES: registry.host } });
  served = await serveApi(p);
  worker = startWorker('sbom-w1', p.workerEnv);
  await workerReady(worker);
}, 600_000);

afterAll(async () => {
  await worker?.kill();
  await served?.close();
  await registry?.stop();
  await p?.cleanup();
});

async function build(spec: string, name: string) {
  const { client } = served;
  const created = await client.http('POST', '/api/v1/builds', { spec, formats: ['tar'], name });
  expect(created.status, JSON.stringify(created.body)).toBe(202);
  const b = await client.waitStatus(created.body.id, ['succeeded', 'failed'], 480_000);
  expect(b.status, `${b.error ?? ''}\n${worker.output().slice(-3000)}`).toBe('succeeded');
  return b;
}

async function sbomOf(id: string) {
  const res = await fetch(`${served.api.url}/api/v1/builds/${id}/sbom`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/spdx+json');
  const bytes = Buffer.from(await res.arrayBuffer());
  expect(res.headers.get('x-checksum-sha256')).toBe(createHash('sha256').update(bytes).digest('hex'));
  return { bytes, doc: JSON.parse(bytes.toString()) as Record<string, unknown> };
}

describe('the SBOM of a build, through the API (real worker, engine, registry)', () => {
  let minimalId = '';
  let minimalRows: ReturnType<typeof sbomRows> = [];

  it('the starter minimal build lists busybox, runc, libc6 … with versions; the same bytes as in the image', async () => {
    const b = await build(minimalYaml, 'minimal');
    minimalId = b.id;
    expect(b.sbom).toMatchObject({ name: 'minimal.spdx.json', url: `/api/v1/builds/${b.id}/sbom` });
    // Not an image format: kept out of `artifacts` (and so out of the size comparison).
    expect(b.artifacts.map((a: any) => a.name)).toEqual(['minimal.tar']);

    const { bytes, doc } = await sbomOf(b.id);
    checkSpdxShape(doc);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(b.sbom.sha256);
    minimalRows = sbomRows(doc);
    const version = (name: string, image: string) => minimalRows.find((r) => r.kind === 'package' && r.name === name && r.image.includes(`/oscompose/${image}:`))?.version;
    // Debian versions as the catalog recorded them (epoch:upstream-revision).
    expect(version('busybox-static', 'init')).toMatch(/^1:1\.\d+\.\d+-\d/);
    expect(version('runc', 'runc')).toMatch(/^\d+\.\d+\.\d+\+ds\d*-\d/);
    expect(version('libc6', 'runc')).toMatch(/^2\.\d+-\d/);
    const images = minimalRows.filter((r) => r.kind === 'image').map((r) => r.name);
    expect(images).toEqual(['kernel', 'init', 'runc', 'dhcpcd', 'getty', 'httpd'].map((n) => `localhost:5000/oscompose/${n}:${n === 'kernel' ? '6.1' : '0.1'}`));
    for (const r of minimalRows.filter((x) => x.kind === 'image')) {
      expect(b.resolvedSpec).toContain(`${r.name}@${r.version}`); // each image by its pinned digest
      expect(minimalRows.some((x) => x.kind === 'package' && x.image === r.name), `${r.name} lists its packages`).toBe(true);
    }

    // The document served is the one inside the image (sbom.spdx.json at the root of the tar).
    const tar = (await p.testDb.db.artifact.findFirstOrThrow({ where: { buildId: b.id, format: 'tar' } })).storageKey;
    const inImage = spawnSync('tar', ['-xOf', path.join(p.dataDir, 'artifacts', tar), 'sbom.spdx.json'], { maxBuffer: 64 << 20 });
    expect(inImage.status, inImage.stderr.toString()).toBe(0);
    expect(inImage.stdout.equals(bytes)).toBe(true);

    // Signed with the artifacts: the provenance names the SBOM by its sha256.
    const bundle = JSON.parse(await readFile(path.join(p.dataDir, 'artifacts', (await p.testDb.db.artifact.findFirstOrThrow({ where: { buildId: b.id, format: 'provenance' } })).storageKey), 'utf8'));
    const subjects = JSON.parse(Buffer.from(bundle.payload, 'base64').toString()).subject;
    expect(subjects).toContainEqual({ name: 'minimal.spdx.json', digest: { sha256: b.sbom.sha256 } });
  });

  it('merges the SPDX attestation of an image from the registry; the two SBOMs differ by that image', async () => {
    const spec = `${minimalYaml.trimEnd()}\n  - name: audit\n    image: ${auditRef}\n`;
    const b = await build(spec, 'audited');
    const { doc } = await sbomOf(b.id);
    checkSpdxShape(doc);
    const rows = sbomRows(doc);
    const audit = rows.filter((r) => r.image === auditRef);
    expect(audit.map((r) => [r.kind, r.name, r.version])).toEqual([
      ['image', auditRef, auditDigest],
      ['package', 'openssl', '3.1.4-r5'],
      ['package', 'zlib', '1.3.1-r0'],
    ]);
    expect(diffSbom(minimalRows, rows).map((c) => [c.change, c.kind, c.name, c.after])).toEqual([
      ['added', 'image', auditRef, auditDigest],
      ['added', 'package', 'openssl', '3.1.4-r5'],
      ['added', 'package', 'zlib', '1.3.1-r0'],
    ]);
  });

  it('HEAD and Range work; a build without an SBOM says why; another team\'s build is not found', async () => {
    const url = `${served.api.url}/api/v1/builds/${minimalId}/sbom`;
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const size = Number(head.headers.get('content-length'));
    expect(size).toBeGreaterThan(1000);
    const part = await fetch(url, { headers: { Range: 'bytes=0-15' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('{\n  "spdxVersion');

    const db = p.testDb.db;
    const old = await db.build.create({ data: { teamId: p.testDb.teamId, specText: minimalYaml, specHash: 'x', formats: '["tar"]', status: 'succeeded', finishedAt: new Date() } });
    const none = await served.client.http('GET', `/api/v1/builds/${old.id}/sbom`);
    expect(none.status).toBe(404);
    expect(none.body.error).toMatchObject({ code: 'no_sbom', message: expect.stringMatching(/built before builds carried one/) });

    const other = await db.team.create({ data: { name: 'Other', slug: `other-${Date.now()}` } });
    const theirs = await db.build.create({ data: { teamId: other.id, specText: minimalYaml, specHash: 'x', formats: '["tar"]', status: 'succeeded', finishedAt: new Date() } });
    const mine = await db.artifact.findFirstOrThrow({ where: { buildId: minimalId, format: 'sbom' } });
    await db.artifact.create({ data: { buildId: theirs.id, format: 'sbom', name: mine.name, size: mine.size, sha256: mine.sha256, storageKey: mine.storageKey } });
    const foreign = await served.client.http('GET', `/api/v1/builds/${theirs.id}/sbom`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('not_found');
  });
});
