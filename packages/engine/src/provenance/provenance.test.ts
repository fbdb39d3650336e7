import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main';
import { IN_TOTO_PAYLOAD_TYPE, pae, signEnvelope } from './dsse';
import { ensureSigningKey, listPublicKeys, parsePublicKeys, rotateSigningKey } from './keys';
import { pinnedImages, provenanceStatement } from './statement';
import { verifyProvenance } from './verify';

const dirs: string[] = [];
const tmp = async () => {
  const d = await mkdtemp(path.join(tmpdir(), 'oscompose-prov-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const K = 'a'.repeat(64);
const I = 'b'.repeat(64);
const resolved = `kernel:\n  image: example.test/k@sha256:${K}\n  cmdline: console=ttyS0\ninit:\n  - example.test/init@sha256:${I}\n  - example.test/init@sha256:${I}\n`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function bundleFor(files: Record<string, Buffer>, key = generateKeyPairSync('ed25519').privateKey) {
  const st = provenanceStatement({
    buildId: 'b1',
    specText: 'kernel: …',
    resolvedSpec: resolved,
    formats: ['kernel+initrd'],
    name: 'sys',
    arch: 'amd64',
    engineVersion: '0.1.0',
    workerId: 'w1',
    startedAt: new Date('2026-01-01T00:00:00Z'),
    finishedAt: new Date('2026-01-01T00:01:00Z'),
    artifacts: Object.entries(files).map(([name, b]) => ({ name, sha256: sha(b) })),
  });
  return { key, st, bundle: JSON.stringify(signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(st)), key)) + '\n' };
}

describe('provenance statement', () => {
  it('pins every image once, by digest, and names the resolved spec', () => {
    expect(pinnedImages(resolved)).toEqual([
      { ref: `example.test/init@sha256:${I}`, digest: I },
      { ref: `example.test/k@sha256:${K}`, digest: K },
    ]);
    const { st } = bundleFor({ 'sys-kernel': Buffer.from('k') });
    expect(st.predicate.buildDefinition.resolvedDependencies.map((d) => d.uri ?? d.name)).toEqual([
      'resolved spec',
      `oci://example.test/init@sha256:${I}`,
      `oci://example.test/k@sha256:${K}`,
    ]);
    expect(st.predicate.runDetails.metadata).toEqual({ invocationId: 'b1', startedOn: '2026-01-01T00:00:00.000Z', finishedOn: '2026-01-01T00:01:00.000Z' });
  });

  it('PAE is the DSSE v1 encoding', () => {
    // The example from the DSSE protocol document.
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });
});

describe('verifyProvenance', () => {
  const kernel = Buffer.from('kernel bytes');
  const initrd = Buffer.from('initrd bytes');

  it('accepts an artifact it names, signed by the given key', () => {
    const { key, bundle } = bundleFor({ 'sys-kernel': kernel, 'sys-initrd.img': initrd });
    const v = verifyProvenance(bundle, [generateKeyPairSync('ed25519').publicKey, key], { name: 'sys-initrd.img', bytes: initrd });
    expect(v.subject).toEqual({ name: 'sys-initrd.img', digest: { sha256: sha(initrd) } });
  });

  it('rejects the artifact after one byte changes', () => {
    const { key, bundle } = bundleFor({ 'sys-kernel': kernel });
    const changed = Buffer.from(kernel);
    changed[3]! ^= 1;
    expect(() => verifyProvenance(bundle, [key], { name: 'sys-kernel', bytes: changed })).toThrow(/sys-kernel has sha256 .* but the provenance says .*changed after it was built/);
  });

  it('rejects another key, and a changed payload', () => {
    const { key, bundle } = bundleFor({ 'sys-kernel': kernel });
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(() => verifyProvenance(bundle, [other], { name: 'sys-kernel', bytes: kernel })).toThrow(/does not verify with the given key/);
    const env = JSON.parse(bundle);
    const st = JSON.parse(Buffer.from(env.payload, 'base64').toString());
    st.predicate.runDetails.metadata.invocationId = 'b2';
    env.payload = Buffer.from(JSON.stringify(st)).toString('base64');
    expect(() => verifyProvenance(JSON.stringify(env), [key], { name: 'sys-kernel', bytes: kernel })).toThrow(/does not verify/);
  });
});

describe('signing keys', () => {
  it('are generated once (concurrent first starts agree), rotated, and old public keys kept', async () => {
    const dir = await tmp();
    const first = await Promise.all([ensureSigningKey(dir), ensureSigningKey(dir), ensureSigningKey(dir)]);
    expect(new Set(first.map((k) => k.keyId)).size).toBe(1);
    expect((await stat(path.join(dir, 'signing.pem'))).mode & 0o777).toBe(0o600);
    expect((await listPublicKeys(dir)).map((k) => [k.keyId, k.current])).toEqual([[first[0]!.keyId, true]]);
    const { previous, current } = await rotateSigningKey(dir);
    expect(previous).toBe(first[0]!.keyId);
    expect((await ensureSigningKey(dir)).keyId).toBe(current.keyId);
    const keys = await listPublicKeys(dir);
    expect(keys.map((k) => k.current).sort()).toEqual([false, true]);
    expect(keys.find((k) => k.current)!.keyId).toBe(current.keyId);
    // A GET /api/v1/keys answer is a key source too.
    expect(parsePublicKeys(JSON.stringify({ keys })).length).toBe(2);
  });
});

describe('oscompose verify', () => {
  const capture = () => {
    let text = '';
    return { stream: new Writable({ write: (c, _e, cb) => ((text += c), cb()) }), text: () => text };
  };
  async function run(args: string[], cwd: string) {
    const out = capture();
    const err = capture();
    const code = await main(['verify', ...args], { stdout: out.stream, stderr: err.stream, cwd, env: {} });
    return { code, out: out.text(), err: err.text() };
  }

  it('finds the bundle next to the file, verifies offline with --key, refuses a changed file or another key', async () => {
    const dir = await tmp();
    const kernel = Buffer.from('the kernel');
    const { key, bundle } = bundleFor({ 'sys-kernel': kernel });
    await writeFile(path.join(dir, 'sys-kernel'), kernel);
    await writeFile(path.join(dir, 'sys.intoto.jsonl'), bundle);
    await writeFile(path.join(dir, 'key.pem'), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const pub = (await import('node:crypto')).createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
    await writeFile(path.join(dir, 'server.pem'), pub);

    const ok = await run(['sys-kernel', '--key', 'server.pem'], dir);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^sys-kernel: verified \(sys\.intoto\.jsonl\)/);
    expect(ok.out).toMatch(/build {7}b1 \(sys; kernel\+initrd; amd64\)/);
    expect(ok.out).toContain(`example.test/k@sha256:${K}`);

    const other = await run(['sys-kernel', '--key', 'key.pem'], dir);
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/NOT verified: the signature does not verify/);

    const changed = Buffer.from(kernel);
    changed[0]! ^= 0x20;
    await writeFile(path.join(dir, 'sys-kernel'), changed);
    const bad = await run(['sys-kernel', '--key', 'server.pem'], dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/NOT verified: sys-kernel has sha256/);

    expect((await run(['sys-kernel'], dir)).code).toBe(2);
    expect(JSON.parse((await run(['sys.intoto.jsonl', '--key', 'server.pem', '--json'], dir)).out).subject[0].name).toBe('sys-kernel');
    expect(await readFile(path.join(dir, 'sys.intoto.jsonl'), 'utf8')).toBe(bundle);
  });
});
