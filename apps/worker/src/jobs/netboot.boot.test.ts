// Netboot end to end: a real build (Debian cloud kernel + our init) through the API and a real
// worker; its /boot/<token>.ipxe URL served on 127.0.0.1; QEMU's own iPXE ROM (Debian ipxe-qemu)
// fetches the script, chains kernel and initrd from it (no -kernel/-initrd given), and the
// console reaches the boot check's verdict. HEAD and Range answer on the files; a revoked token
// answers 404.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleLines, decide } from '@oscompose/bootcheck';
import { serveApi, type ServedApi } from './testing/api';
import { startPipeline, startWorker, workerReady, writeBootableImages, type Pipeline, type WorkerProcess } from './testing/harness';

// QEMU loads its virtio-net option ROM from here (Debian ipxe-qemu); naming it by romfile= did not boot.
const ROM = '/usr/lib/ipxe/qemu/efi-virtio.rom';
let p: Pipeline;
let served: ServedApi;
let worker: WorkerProcess;
let refs: Awaited<ReturnType<typeof writeBootableImages>>;

beforeAll(async () => {
  if (!existsSync(ROM)) throw new Error(`${ROM} is missing: apt-get install ipxe-qemu (scripts/host-packages.txt)`);
  p = await startPipeline({ workerEnv: { WORKER_LOCK_SECONDS: '30' } });
  refs = await writeBootableImages(p.imageStore);
  served = await serveApi(p);
  worker = startWorker('netboot-w1', p.workerEnv);
  await workerReady(worker);
}, 180_000);

afterAll(async () => {
  await worker?.kill();
  await served?.close();
  await p?.cleanup();
});

/** Boots QEMU from the network only and returns the verdict and the console. */
function netboot(scriptUrl: string, timeoutMs = 150_000): Promise<{ verdict: string; message: string; console: string }> {
  const args = ['-m', '512', '-nographic', '-no-reboot', '-boot', 'n', '-netdev', `user,id=n0,bootfile=${scriptUrl}`, '-device', `virtio-net-pci,netdev=n0,bootindex=1`];
  const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const started = Date.now();
  const lines = new ConsoleLines();
  let text = '';
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (vmExited: boolean, timedOut: boolean) => {
      if (done) return;
      const d = decide({ lines: lines.lines, nowMs: Date.now() - started, vmExited, timedOut }, undefined, { settleMs: 3000, timeoutMs });
      if (!d.final) return;
      done = true;
      clearInterval(tick);
      qemu.kill('SIGKILL');
      resolve({ verdict: d.verdict, message: d.message, console: text });
    };
    const tick = setInterval(() => finish(false, Date.now() - started > timeoutMs), 250);
    qemu.stdout.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      lines.push(c.toString('latin1'), Date.now() - started);
      // The firmware gave up (the script or a file did not load): decide now, not at the time limit.
      finish(false, /No bootable device/.test(text));
    });
    qemu.stderr.on('data', (c: Buffer) => (text += c.toString('latin1')));
    qemu.on('error', (e) => reject(new Error(`cannot start qemu-system-x86_64 (${e.message}): apt-get install qemu-system-x86`)));
    qemu.on('exit', () => finish(true, false));
  });
}

describe('netboot (real worker, API on 127.0.0.1, QEMU iPXE)', () => {
  it('boots a build from its iPXE URL to a verdict; HEAD and Range on the files; a revoked token is 404', async () => {
    const { client, api } = served;
    const spec = ['kernel:', `  image: ${refs.kernel}`, '  cmdline: console=ttyS0 panic=-1', '  tar: none', 'init:', `  - ${refs.init}`, ''].join('\n');
    const created = await client.http('POST', '/api/v1/builds', { spec, formats: ['kernel+initrd'], name: 'pxe' });
    const build = await client.waitStatus(created.body.id, ['succeeded', 'failed']);
    expect(build.status, build.error ?? '').toBe('succeeded');
    expect(build.netboot).toBeNull();

    const link = await client.http('POST', `/api/v1/builds/${build.id}/netboot`);
    expect(link.status).toBe(200);
    expect(link.body.path).toMatch(/^\/boot\/[A-Za-z0-9_-]{32}\.ipxe$/);
    expect((await client.http('POST', `/api/v1/builds/${build.id}/netboot`)).body.path).toBe(link.body.path); // one active link
    // Absolute on the address the API was reached at (no public URL set here), in both answers.
    expect(link.body.url).toBe(api.url + link.body.path);
    expect((await client.http('GET', `/api/v1/builds/${build.id}`)).body.netboot).toEqual({ path: link.body.path, url: link.body.url });

    // The script: no login (plain fetch, no caller needed), absolute URLs on this server.
    const scriptUrl: string = link.body.url;
    const script = await (await fetch(scriptUrl)).text();
    const files = scriptUrl.replace(/\.ipxe$/, '');
    expect(script).toBe(`#!ipxe\n# oscompose build ${build.id} (pxe)\nkernel ${files}/kernel initrd=initrd console=ttyS0 panic=-1\ninitrd --name initrd ${files}/initrd\nboot\n`);

    const kernel = build.artifacts.find((a: any) => a.name === 'pxe-kernel');
    const head = await fetch(`${files}/kernel`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(kernel.size));
    expect(head.headers.get('x-checksum-sha256')).toBe(kernel.sha256);
    const part = await fetch(`${files}/initrd`, { headers: { Range: 'bytes=0-5' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).length).toBe(6);

    // QEMU boots from the network only: iPXE fetches the script and what it chains.
    const boot = await netboot(scriptUrl);
    console.log(`[netboot] verdict ${boot.verdict}: ${boot.message}`);
    expect(boot.verdict, boot.console.slice(-3000)).toMatch(/^(booted|verified)$/);
    expect(boot.console).toMatch(/Linux version/);
    expect(boot.console).toMatch(/oscompose: /);

    // Revoked: every URL of the token is gone, like a token that never existed.
    expect((await client.http('DELETE', `/api/v1/builds/${build.id}/netboot`)).body).toEqual({ revoked: 1 });
    expect((await fetch(scriptUrl)).status).toBe(404);
    expect((await fetch(`${files}/kernel`)).status).toBe(404);
    expect((await fetch(`${api.url}/boot/${'x'.repeat(32)}.ipxe`)).status).toBe(404);
    expect((await client.http('GET', `/api/v1/builds/${build.id}`)).body.netboot).toBeNull();
    // A new link is a new token.
    expect((await client.http('POST', `/api/v1/builds/${build.id}/netboot`)).body.path).not.toBe(link.body.path);
  }, 420_000);

  it("a composition's URL serves its latest succeeded build, and follows the next one", async () => {
    const { client, api } = served;
    const db = p.testDb.db;
    const spec = (cmdline: string) => ['kernel:', `  image: ${refs.kernel}`, `  cmdline: ${cmdline}`, '  tar: none', 'init:', `  - ${refs.init}`, ''].join('\n');
    const comp = await db.composition.create({ data: { teamId: p.testDb.teamId, name: 'pxe-host', latestVersion: 1 } });
    await db.compositionVersion.create({ data: { compositionId: comp.id, version: 1, specText: spec('console=ttyS0 one') } });
    const link = await client.http('POST', `/api/v1/compositions/${comp.id}/netboot`);
    expect(link.status).toBe(200);
    const url = api.url + link.body.path;
    expect((await fetch(url)).status).toBe(404); // nothing built yet

    const first = await client.waitStatus((await client.http('POST', '/api/v1/builds', { compositionId: comp.id, formats: ['kernel+initrd'], name: 'pxe' })).body.id, ['succeeded', 'failed']);
    expect(first.status).toBe('succeeded');
    expect(await (await fetch(url)).text()).toMatch(new RegExp(`# oscompose build ${first.id} [\\s\\S]*console=ttyS0 one\n`));

    await db.compositionVersion.create({ data: { compositionId: comp.id, version: 2, specText: spec('console=ttyS0 two') } });
    await db.composition.update({ where: { id: comp.id }, data: { latestVersion: 2 } });
    const second = await client.waitStatus((await client.http('POST', '/api/v1/builds', { compositionId: comp.id, formats: ['kernel+initrd'], name: 'pxe' })).body.id, ['succeeded', 'failed']);
    expect(second.status).toBe('succeeded');
    const script = await (await fetch(url)).text();
    expect(script).toContain(`# oscompose build ${second.id} `);
    expect(script).toMatch(/console=ttyS0 two\n/);
    const initrd = second.artifacts.find((a: any) => a.name === 'pxe-initrd.img');
    const files = url.replace(/\.ipxe$/, '');
    expect((await fetch(`${files}/initrd`, { method: 'HEAD' })).headers.get('x-checksum-sha256')).toBe(initrd.sha256);

    expect((await client.http('DELETE', `/api/v1/compositions/${comp.id}/netboot`)).body).toEqual({ revoked: 1 });
    expect((await fetch(url)).status).toBe(404);
  }, 300_000);
});
