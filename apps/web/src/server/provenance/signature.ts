// What the build page says about a build's signed provenance: which key signed it and whether
// that is one of this server's published keys (checked here, not taken from the bundle's keyid).

import { createPublicKey } from 'node:crypto';
import path from 'node:path';
import { listPublicKeys, parseEnvelope, verifyEnvelope } from '@oscompose/engine';
import type { ArtifactStore } from '@oscompose/storage';
import { webConfig } from '../config';

export { PROVENANCE_FORMAT } from '@oscompose/engine';

export interface Signature {
  /** The key that verifies the bundle, or null when none of ours does. */
  keyId: string | null;
  /** current: the key signing now; retired: an older key of this server; unknown: no key of ours verifies it. */
  key: 'current' | 'retired' | 'unknown';
}

/** DATA_DIR/keys, shared by the web app and the workers (docs/security.md, "Signing keys"). */
export function keyDir(): string {
  return path.join(webConfig().dataDir, 'keys');
}

async function readSmall(store: ArtifactStore, key: string, max = 1 << 20): Promise<string> {
  const stream = await store.read(key, { start: 0, end: max - 1 });
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export async function provenanceSignature(store: ArtifactStore, dir: string, storageKey: string): Promise<Signature> {
  try {
    const [text, keys] = await Promise.all([readSmall(store, storageKey), listPublicKeys(dir)]);
    const envelopes = text.split('\n').filter((l) => l.trim()).map(parseEnvelope);
    for (const env of envelopes) {
      const ok = verifyEnvelope(env, keys.map((k) => createPublicKey(k.publicKey)));
      if (ok) return { keyId: ok.keyId, key: keys.find((k) => k.keyId === ok.keyId)?.current ? 'current' : 'retired' };
    }
  } catch {
    // removed by retention, unreadable or not an envelope: not verified by us
  }
  return { keyId: null, key: 'unknown' };
}
