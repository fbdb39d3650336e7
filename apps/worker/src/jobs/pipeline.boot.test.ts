// A build through the API that passes the boot check: a real kernel and our init, booted in
// QEMU (TCG) by the worker; the build records the boot check and the downloads match.

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runSubmit } from '@oscompose/engine/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '@oscompose/web/testing';
import { startPipeline, startWorker, workerReady, writeBootableImages, type Pipeline, type WorkerProcess } from './testing/harness';
import { serveApi, type ServedApi } from './testing/api';

let p: Pipeline;
let api: ApiServer;
let served: ServedApi | undefined;
let w: WorkerProcess | undefined;
let refs: { kernel: string; init: string };

beforeAll(async () => {
  p = await startPipeline({ workerEnv: { WORKER_BOOT_CHECK: 'true', WORKER_LOCK_SECONDS: '30' } });
  refs = await writeBootableImages(p.imageStore);
  served = await serveApi(p);
  api = served.api;
  w = startWorker('boot', p.workerEnv);
  await workerReady(w);
});

afterAll(async () => {
  await w?.kill();
  await served?.close();
  await p?.cleanup();
});

describe('build pipeline with the boot check', () => {
  it('builds kernel+initrd, boots it in QEMU, records the boot check, downloads match', async () => {
    const spec = bootSpec();
    const res = await fetch(`${api.url}/api/v1/builds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ spec, formats: ['kernel+initrd'], name: 'boot' }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const events = await (await fetch(`${api.url}/api/v1/builds/${id}/events`)).text();
    expect(events).toMatch(/event: bootcheck\ndata: \{[^\n]*"ok":true/);

    const build = (await (await fetch(`${api.url}/api/v1/builds/${id}`)).json()) as any;
    expect(build.status, build.error ?? '').toBe('succeeded');
    expect(build.bootCheck).toMatchObject({ ok: true, verdict: 'verified' });
    for (const a of build.artifacts) {
      const bytes = Buffer.from(await (await fetch(api.url + a.downloadUrl)).arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(a.sha256);
      expect(a.bootCheck, `${a.name}: ${JSON.stringify(build.artifacts)}`).toMatchObject({ ok: true, verdict: "verified" });
    }
  });

  it('oscompose submit --fresh --download: boot-checked, downloads verified', async () => {
    const dir = path.join(p.dir, 'cli');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'boot.yml'), bootSpec());
    let err = '';
    let out = '';
    const code = await runSubmit([path.join(dir, 'boot.yml'), '-f', 'kernel+initrd', '--fresh', '--download', path.join(dir, 'out'), '--json', '--server', api.url], {
      out: (s) => (out += s),
      err: (s) => (err += s),
      env: { XDG_CONFIG_HOME: path.join(dir, 'nocfg') },
    });
    expect(code, err).toBe(0);
    expect(err).toMatch(/boot check kernel\+initrd: verified — every expectation met/);
    const build = JSON.parse(out);
    expect(build).toMatchObject({ status: 'succeeded', cached: false, bootCheck: { ok: true } });
    // The signed provenance bundle and the SBOM are downloaded beside the artifacts (docs/supply-chain.md).
    expect((await readdir(path.join(dir, 'out'))).sort()).toEqual(['boot-cmdline', 'boot-initrd.img', 'boot-kernel', 'boot.intoto.jsonl', 'boot.spdx.json']);
    for (const a of build.artifacts) {
      const bytes = await readFile(path.join(dir, 'out', a.name));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(a.sha256);
    }
  });
});

function bootSpec(): string {
  return ['kernel:', `  image: ${refs.kernel}`, '  cmdline: console=ttyS0 panic=-1', '  tar: none', 'init:', `  - ${refs.init}`, ''].join('\n');
}
