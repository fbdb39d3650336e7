// Issue 13: a LinuxKit-shaped spec (an init that is not ours, service images with an
// org.mobyproject.config label, served by a real registry) through the real pipeline: API →
// queue → worker → QEMU. One boot per case: without expectations it is `booted`; with
// expectations naming what its containers print it is `verified`; with one nothing prints it is
// `failed` naming it; an initramfs without /init is `failed` quoting the kernel panic.

import path from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { runSubmit } from '@oscompose/engine/cli';
import { pushImage } from '@oscompose/engine/testing';
import { startRegistry, type TestRegistry } from '@oscompose/queue/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { starterImageStore, startPipeline, startWorker, workerReady, type Pipeline, type WorkerProcess } from './testing/harness';
import { serveApi, type ServedApi } from './testing/api';
import { LINUXKIT_SAYS, linuxkitImages, linuxkitSpec } from './testing/linuxkit';

let p: Pipeline;
let registry: TestRegistry;
let served: ServedApi | undefined;
let w: WorkerProcess | undefined;
let spec: string;
let noInitSpec: string;

beforeAll(async () => {
  // kernel and runc come from the starter catalog's images
  const imageStore = await starterImageStore();
  registry = await startRegistry();
  const images = await linuxkitImages();
  const refs = { init: `${registry.host}/linuxkit/init:test`, onboot: `${registry.host}/linuxkit/hello:test`, service: `${registry.host}/linuxkit/web:test` };
  await pushImage(registry.host, refs.init, images.init);
  await pushImage(registry.host, refs.onboot, images.onboot);
  await pushImage(registry.host, refs.service, images.service);
  await pushImage(registry.host, `${registry.host}/linuxkit/noinit:test`, images.noInit);
  spec = linuxkitSpec(refs);
  noInitSpec = ['kernel:', '  image: localhost:5000/oscompose/kernel:6.1', '  cmdline: "console=ttyS0"', 'init:', `  - ${registry.host}/linuxkit/noinit:test`, ''].join('\n');

  p = await startPipeline({
    workerEnv: { WORKER_BOOT_CHECK: 'true', WORKER_LOCK_SECONDS: '30', WORKER_BOOT_TIMEOUT_SECONDS: '300', OSCOMPOSE_IMAGE_STORE: imageStore, OSCOMPOSE_ALLOWED_REGISTRIES: registry.host },
  });
  served = await serveApi(p);
  w = startWorker('linuxkit-boot', p.workerEnv);
  await workerReady(w);
}, 1_800_000);

afterAll(async () => {
  await w?.kill();
  await served?.close();
  await p?.cleanup();
  await registry?.stop();
});

async function build(body: Record<string, unknown>): Promise<any> {
  const { client } = served!;
  const res = await client.http('POST', '/api/v1/builds', body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return client.waitStatus(res.body.id, ['succeeded', 'failed', 'canceled'], 600_000);
}

async function download(url: string): Promise<string> {
  const res = await fetch(served!.api.url + url);
  expect(res.status).toBe(200);
  return res.text();
}

describe('a LinuxKit-shaped spec through the pipeline, boot-checked in QEMU', () => {
  it('without expectations: booted and succeeded; the console is published; tar is not checked', async () => {
    const b = await build({ spec, formats: ['kernel+initrd', 'tar'], name: 'lk' });
    expect(b.status, `${b.error ?? ''}\n${w?.output().slice(-3000)}`).toBe('succeeded');
    expect(b.bootCheck).toMatchObject({ verdict: 'booted', ok: true, requested: null, expectations: [] });
    // one artifact format was booted: its message is the build's
    expect(b.bootCheck.message).toMatch(/^init took over: ".*" \(console line \d+, [\d.]+ s\), and nothing panicked/);
    const [kernel, tar] = b.bootCheck.artifacts;
    expect(kernel).toMatchObject({ format: 'kernel+initrd', artifact: 'lk-initrd.img', verdict: 'booted', didNotBoot: false, containers: [], consoleName: 'lk-initrd.img.console.txt' });
    expect(tar).toMatchObject({ format: 'tar', verdict: 'not checked', message: expect.stringContaining('not a bootable medium'), console: null });
    // the whole console: what the containers printed after the verdict was decided, too
    const console_ = await download(kernel.console);
    expect(console_).toContain('Run /init as init process');
    expect(console_).toContain(LINUXKIT_SAYS.onboot);
    expect(console_).toContain(LINUXKIT_SAYS.label);
    expect(console_).not.toContain('oscompose: ');
    expect(Object.fromEntries(b.artifacts.map((a: any) => [a.name, [a.bootCheck?.verdict, a.didNotBoot]]))).toEqual({
      'lk-cmdline': ['booted', false],
      'lk-initrd.img': ['booted', false],
      'lk-kernel': ['booted', false],
      'lk.tar': ['not checked', false],
    });
    const events = await served!.client.events(b.id);
    expect(events.find((e) => e.event === 'bootcheck')?.data).toMatchObject({ format: 'kernel+initrd', verdict: 'booted', ok: true });
  }, 900_000);

  it('oscompose submit --expect naming what its containers print: verified, each with its console line', async () => {
    const dir = path.join(p.dir, 'cli');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'lk.yml'), spec);
    let out = '';
    let err = '';
    const code = await runSubmit(
      [path.join(dir, 'lk.yml'), '-f', 'kernel+initrd', '--expect', LINUXKIT_SAYS.onboot, '--expect', '/listening on :\\d+/', '--expect', LINUXKIT_SAYS.label, '--wait', '--json', '--server', served!.api.url],
      { out: (s) => (out += s), err: (s) => (err += s), env: { XDG_CONFIG_HOME: path.join(dir, 'nocfg') } },
    );
    expect(code, err).toBe(0);
    expect(err).toMatch(/boot check kernel\+initrd: verified — every expectation met \(3\)/);
    const b = JSON.parse(out);
    // same spec as the booted build, other expectations: judged anew, not served from the cache
    expect(b).toMatchObject({ status: 'succeeded', cached: false, bootCheck: { verdict: 'verified', requested: { expect: [LINUXKIT_SAYS.onboot, '/listening on :\\d+/', LINUXKIT_SAYS.label] } } });
    expect(b.bootCheck.expectations.map((e: any) => [e.kind, e.expectation, e.met, e.line?.text])).toEqual([
      ['console', LINUXKIT_SAYS.onboot, true, expect.stringContaining(LINUXKIT_SAYS.onboot)],
      ['console', '/listening on :\\d+/', true, expect.stringContaining(LINUXKIT_SAYS.service)],
      ['console', LINUXKIT_SAYS.label, true, expect.stringContaining(LINUXKIT_SAYS.label)],
    ]);
    for (const e of b.bootCheck.expectations) expect(e.line.n).toBeGreaterThan(0);
  }, 900_000);

  it('an expectation nothing prints: failed, naming it; the artifacts stay downloadable, marked did-not-boot', async () => {
    const b = await build({ spec, formats: ['kernel+initrd'], name: 'lk', bootCheck: { expect: [LINUXKIT_SAYS.onboot, 'nobody prints this'], timeoutSeconds: 45 } });
    expect(b.status).toBe('failed');
    expect(b.bootCheck.verdict).toBe('failed');
    expect(b.bootCheck.message).toMatch(/^expectation not met within 45 s: "nobody prints this"; last console lines: /);
    expect(b.error).toContain('Boot check failed: expectation not met within 45 s: "nobody prints this"');
    expect(b.bootCheck.expectations.map((e: any) => [e.expectation, e.met])).toEqual([
      [LINUXKIT_SAYS.onboot, true],
      ['nobody prints this', false],
    ]);
    expect(b.artifacts.map((a: any) => a.didNotBoot)).toEqual([true, true, true]);
    const initrd = b.artifacts.find((a: any) => a.name === 'lk-initrd.img');
    expect((await fetch(served!.api.url + initrd.downloadUrl)).status).toBe(200);
    expect(await download(b.bootCheck.artifacts[0].console)).toContain(LINUXKIT_SAYS.service);
  }, 900_000);

  it('an initramfs without /init: failed, quoting the kernel panic', async () => {
    const b = await build({ spec: noInitSpec, formats: ['kernel+initrd'], name: 'noinit' });
    expect(b.status).toBe('failed');
    expect(b.bootCheck.verdict).toBe('failed');
    expect(b.bootCheck.message).toMatch(/"\[\s*[\d.]+\] Kernel panic - not syncing: .*" \(console line \d+, [\d.]+ s\)/);
    expect(b.error).toContain('Kernel panic - not syncing');
    expect(await download(b.bootCheck.artifacts[0].console)).toContain('Kernel panic - not syncing');
  }, 900_000);
});
