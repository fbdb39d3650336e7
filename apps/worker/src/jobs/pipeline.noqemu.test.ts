// A worker whose boot check is on but that has no QEMU (not on its PATH): every bootable artifact
// is `not checked` with that reason, and the build succeeds; its expectations are kept as asked.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApi, type ServedApi } from './testing/api';
import { specText, startPipeline, startWorker, workerReady, writeTestImages, type Pipeline, type WorkerProcess } from './testing/harness';

let p: Pipeline;
let served: ServedApi | undefined;
let w: WorkerProcess | undefined;
let refs: Awaited<ReturnType<typeof writeTestImages>>;

beforeAll(async () => {
  p = await startPipeline({ workerEnv: { WORKER_BOOT_CHECK: 'true' } });
  refs = await writeTestImages(p.imageStore, { blobBytes: 1024 });
  served = await serveApi(p);
  // no directory on this PATH holds qemu-system-x86_64 (the worker runs node by its full path)
  w = startWorker('noqemu', { ...p.workerEnv, PATH: '/nonexistent' });
  await workerReady(w);
});

afterAll(async () => {
  await w?.kill();
  await served?.close();
  await p?.cleanup();
});

describe('boot check on a worker without QEMU', () => {
  it('is not checked, saying so, and the build succeeds', async () => {
    const { client } = served!;
    const res = await client.http('POST', '/api/v1/builds', { spec: specText(refs), formats: ['kernel+initrd', 'tar'], name: 'nq', bootCheck: { expect: ['login:'] } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const b = await client.waitStatus(res.body.id, ['succeeded', 'failed']);
    expect(b.status, `${b.error}\n${w?.output().slice(-2000)}`).toBe('succeeded');
    expect(b.bootCheck).toMatchObject({ verdict: 'not checked', ok: true, requested: { expect: ['login:'] } });
    expect(b.bootCheck.message).toBe('not checked: qemu-system-x86_64 is not installed on this worker (apt-get install qemu-system-x86)');
    expect(b.bootCheck.artifacts.map((a: any) => [a.format, a.verdict, a.console])).toEqual([
      ['kernel+initrd', 'not checked', null],
      ['tar', 'not checked', null],
    ]);
    for (const a of b.artifacts) expect(a).toMatchObject({ didNotBoot: false, bootCheck: { verdict: 'not checked' } });
    expect(w!.output()).toContain('the boot check needs qemu-system-x86_64');
  });
});
