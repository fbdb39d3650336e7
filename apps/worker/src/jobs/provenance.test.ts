// Signed provenance end to end: a build through the API (real Redis, SQLite, worker process,
// engine) publishes NAME.intoto.jsonl; its downloads verify with `oscompose verify` against the
// server's keys (offline from a saved GET /api/v1/keys, or --server), and are rejected after one
// byte changes or with another key; after a rotation old builds still verify, new ones are signed
// by the new key.

import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliMain } from '@oscompose/engine';
import { runAdmin } from '@oscompose/web/testing';
import { serveApi, type ServedApi } from './testing/api';
import { specText, startPipeline, startWorker, workerReady, writeTestImages, type Pipeline, type WorkerProcess } from './testing/harness';

let p: Pipeline;
let served: ServedApi;
let worker: WorkerProcess;
let refs: Awaited<ReturnType<typeof writeTestImages>>;
let dl: string;

beforeAll(async () => {
  p = await startPipeline();
  refs = await writeTestImages(p.imageStore, { blobBytes: 1024 });
  served = await serveApi(p);
  worker = startWorker('prov-w1', p.workerEnv);
  await workerReady(worker);
  dl = await mkdtemp(path.join(tmpdir(), 'oscompose-verify-'));
});

afterAll(async () => {
  await worker?.kill();
  await served?.close();
  await p?.cleanup();
  if (dl) await rm(dl, { recursive: true, force: true });
});

async function verify(args: string[]) {
  let out = '';
  let err = '';
  const code = await cliMain(['verify', ...args], {
    stdout: new Writable({ write: (c, _e, cb) => ((out += c), cb()) }),
    stderr: new Writable({ write: (c, _e, cb) => ((err += c), cb()) }),
    cwd: dl,
    env: {},
  });
  return { code, out, err };
}

async function download(url: string, file: string) {
  const res = await fetch(served.api.url + url);
  expect(res.status).toBe(200);
  await writeFile(path.join(dl, file), Buffer.from(await res.arrayBuffer()));
}

describe('signed provenance (real worker, API, oscompose verify)', () => {
  const spec = () => specText(refs, { onboot: [{ name: 'hello', image: refs.hello }] });
  let first: any;

  it('publishes a bundle that verifies a real download, and rejects one changed byte or another key', async () => {
    const { client } = served;
    const created = await client.http('POST', '/api/v1/builds', { spec: spec(), formats: ['kernel+initrd'], name: 'sig' });
    first = await client.waitStatus(created.body.id, ['succeeded', 'failed']);
    expect(first.status).toBe('succeeded');
    // The bundle is shown apart from the artifacts it covers, signed by the current key.
    expect(first.artifacts.map((a: any) => a.name).sort()).toEqual(['sig-cmdline', 'sig-initrd.img', 'sig-kernel']);
    const keys = (await client.http('GET', '/api/v1/keys')).body.keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ algorithm: 'ed25519', current: true });
    expect(first.provenance).toMatchObject({ name: 'sig.intoto.jsonl', key: 'current', keyId: keys[0].keyId });

    for (const a of first.artifacts) await download(a.downloadUrl, a.name);
    await download(first.provenance.downloadUrl, first.provenance.name);
    await writeFile(path.join(dl, 'keys.json'), JSON.stringify({ keys }));

    // Offline: the saved public keys.
    const ok = await verify(['sig-kernel', '--key', 'keys.json']);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('sig-kernel: verified (sig.intoto.jsonl)');
    expect(ok.out).toContain(`signed by   ${keys[0].keyId}`);
    expect(ok.out).toContain(`build       ${first.id} (sig; kernel+initrd; amd64)`);
    expect(ok.out).toContain('builder     urn:oscompose:worker:prov-w1');
    // Every image of the resolved spec, by digest.
    for (const ref of [refs.kernel, refs.init, refs.hello]) {
      const pinned = new RegExp(`${ref.split(':')[0]!.replace(/[.]/g, '\\.')}[^\\s]*@sha256:[0-9a-f]{64}`);
      expect(first.resolvedSpec).toMatch(pinned);
      expect(ok.out).toMatch(pinned);
    }
    // Online: the server's keys.
    expect((await verify(['sig-initrd.img', '--server', served.api.url])).code).toBe(0);

    // One byte changed.
    const initrd = await readFile(path.join(dl, 'sig-initrd.img'));
    initrd[initrd.length >> 1]! ^= 0x01;
    await writeFile(path.join(dl, 'sig-initrd.img'), initrd);
    const changed = await verify(['sig-initrd.img', '--server', served.api.url]);
    expect(changed.code).toBe(1);
    expect(changed.err).toMatch(/sig-initrd\.img: NOT verified: sig-initrd\.img has sha256 [0-9a-f]{64}, but the provenance says [0-9a-f]{64}/);

    // Another key.
    await writeFile(path.join(dl, 'other.pem'), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const other = await verify(['sig-kernel', '--key', 'other.pem']);
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/NOT verified: the signature does not verify with the given key/);

    // A changed bundle (the statement rewritten to name the changed file) fails its signature.
    const bundle = JSON.parse(await readFile(path.join(dl, 'sig.intoto.jsonl'), 'utf8'));
    const st = JSON.parse(Buffer.from(bundle.payload, 'base64').toString());
    const { createHash } = await import('node:crypto');
    st.subject.find((s: any) => s.name === 'sig-initrd.img').digest.sha256 = createHash('sha256').update(initrd).digest('hex');
    bundle.payload = Buffer.from(JSON.stringify(st)).toString('base64');
    await writeFile(path.join(dl, 'sig.intoto.jsonl'), JSON.stringify(bundle) + '\n');
    expect((await verify(['sig-initrd.img', '--server', served.api.url])).err).toMatch(/does not verify/);
  });

  it('after a rotation: older builds still verify (retired key published), new builds use the new key', async () => {
    const { client } = served;
    const before = (await client.http('GET', '/api/v1/keys')).body.keys[0].keyId;
    const out = await runAdmin(p.testDb.db, 'rotate-signing-key', { keyDir: path.join(p.dataDir, 'keys') });
    const after = out.split('\n')[0];
    expect(after).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
    const keys = (await client.http('GET', '/api/v1/keys')).body.keys;
    expect(keys.map((k: any) => [k.keyId, k.current]).sort()).toEqual([[before, false], [after, true]].sort());

    const old = (await client.http('GET', `/api/v1/builds/${first.id}`)).body;
    expect(old.provenance).toMatchObject({ keyId: before, key: 'retired' });
    await download(old.provenance.downloadUrl, old.provenance.name);
    expect((await verify(['sig-kernel', '--server', served.api.url])).code).toBe(0);

    const created = await client.http('POST', `/api/v1/builds/${first.id}/rebuild`, { fresh: true });
    const rebuilt = await client.waitStatus(created.body.id, ['succeeded', 'failed']);
    expect(rebuilt).toMatchObject({ status: 'succeeded', cached: false, provenance: { keyId: after, key: 'current' } });
    // Same bytes (the engine is reproducible), a new statement naming the new build.
    expect(rebuilt.artifacts.map((a: any) => a.sha256)).toEqual(first.artifacts.map((a: any) => a.sha256));
    expect(rebuilt.provenance.sha256).not.toBe(first.provenance.sha256);
  });
});
