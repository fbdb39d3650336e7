// The catalog's `minimal` composition built through the API by a real worker in two formats
// (kernel+initrd and iso-bios), each boot-checked in QEMU: both artifacts record a passing boot
// check with every onboot container exiting 0. Two formats only: TCG boots are slow on CI.

import { starterCatalogForTests } from '@oscompose/catalog/testing';
import { listWorkers } from '@oscompose/queue';
import { parseSpec } from '@oscompose/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFormats, type ApiServer } from '@oscompose/web/testing';
import { startPipeline, startWorker, workerReady, type Pipeline, type WorkerProcess } from './testing/harness';
import { serveApi, type ServedApi } from './testing/api';

let p: Pipeline;
let api: ApiServer;
let served: ServedApi | undefined;
let w: WorkerProcess | undefined;
let minimalYaml: string;
let onboot: string[];

beforeAll(async () => {
  const catalog = await starterCatalogForTests();
  minimalYaml = catalog.composition('minimal');
  onboot = (parseSpec(minimalYaml).spec?.onboot ?? []).map((o) => o.name);

  p = await startPipeline({
    workerEnv: { WORKER_BOOT_CHECK: 'true', WORKER_LOCK_SECONDS: '30', WORKER_BOOT_TIMEOUT_SECONDS: '600', OSCOMPOSE_IMAGE_STORE: catalog.imageStore },
  });
  served = await serveApi(p);
  api = served.api;
  w = startWorker('formats-boot', p.workerEnv);
  await workerReady(w);
}, 1_800_000);

afterAll(async () => {
  await w?.kill();
  await served?.close();
  await p?.cleanup();
});

describe('catalog minimal composition, kernel+initrd and iso-bios, boot-checked by the worker', () => {
  it('both artifacts pass their boot check with every onboot container exiting 0', async () => {
    expect(onboot.length, 'minimal has onboot containers to check').toBeGreaterThan(0);
    const res = await fetch(`${api.url}/api/v1/builds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ spec: minimalYaml, formats: ['kernel+initrd', 'iso-bios'], name: 'minimal' }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const events = await (await fetch(`${api.url}/api/v1/builds/${id}/events`)).text();
    expect(events).toMatch(/event: bootcheck\ndata: \{[^\n]*"format":"kernel\+initrd"/);
    expect(events).toMatch(/event: bootcheck\ndata: \{[^\n]*"format":"iso-bios"/);

    const build = (await (await fetch(`${api.url}/api/v1/builds/${id}`)).json()) as any;
    expect(build.status, `${build.error ?? ''}\n${w?.output().slice(-3000)}`).toBe('succeeded');
    expect(build.bootCheck).toMatchObject({ verdict: 'verified', ok: true });
    expect(build.bootCheck.artifacts.map((a: { format: string; verdict: string }) => [a.format, a.verdict])).toEqual([['kernel+initrd', 'verified'], ['iso-bios', 'verified']]);

    const formats = new Set<string>();
    for (const a of build.artifacts) {
      formats.add(a.format);
      expect(a.bootCheck, `${a.name} boot check`).toMatchObject({ ok: true, verdict: 'verified' });
    }
    for (const r of build.bootCheck.artifacts as { format: string; containers: { phase: string; name: string; exitCode: number | null }[] }[]) {
      const ran = r.containers.filter((c) => c.phase === 'onboot');
      expect(ran.map((c) => c.name.replace(/^\d+-/, '')).sort(), `${r.format}: onboot containers seen on the console`).toEqual([...onboot].sort());
      for (const c of ran) expect(c.exitCode, `${r.format}: onboot ${c.name}`).toBe(0);
    }
    expect([...formats].sort()).toEqual(['iso-bios', 'kernel+initrd']);
  }, 1_800_000);

  it('the worker advertises the formats it can build; the formats service offers them', async () => {
    const { redis } = await p.webDeps();
    const live = () => listWorkers(redis, { prefix: p.prefix });
    const [beat] = await live();
    expect(beat?.formats).toEqual(expect.arrayContaining(['kernel+initrd', 'iso-bios', 'iso-efi', 'qcow2-bios', 'uki']));
    const offered = await listFormats(live);
    expect(offered.find((f) => f.name === 'iso-bios')).toMatchObject({ available: true });
  });
});
