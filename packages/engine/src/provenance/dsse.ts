// DSSE envelopes (github.com/secure-systems-lab/dsse, protocol v1) signed with Ed25519 through
// node:crypto: what is signed is the pre-authentication encoding of payload type and payload, so
// a signature cannot be moved to another payload type.

import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export interface DsseSignature {
  keyid: string;
  sig: string;
}

export interface DsseEnvelope {
  payloadType: string;
  /** base64 of the payload bytes. */
  payload: string;
  signatures: DsseSignature[];
}

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** The key id we publish: sha256 of the public key's SubjectPublicKeyInfo DER, hex. */
export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function signEnvelope(payloadType: string, payload: Buffer, privateKey: KeyObject): DsseEnvelope {
  const sig = sign(null, pae(payloadType, payload), privateKey);
  return { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: keyIdOf(privateKey), sig: sig.toString('base64') }] };
}

export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
}

/** Parses one envelope (one line of a .intoto.jsonl bundle); throws EnvelopeError naming what is wrong. */
export function parseEnvelope(text: string): DsseEnvelope {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new EnvelopeError(`not a DSSE envelope: invalid JSON (${(e as Error).message})`);
  }
  const o = v as Partial<DsseEnvelope>;
  if (!o || typeof o !== 'object' || typeof o.payloadType !== 'string' || typeof o.payload !== 'string' || !Array.isArray(o.signatures)) {
    throw new EnvelopeError('not a DSSE envelope: it needs payloadType, payload and signatures');
  }
  for (const s of o.signatures) {
    if (!s || typeof s.sig !== 'string' || typeof s.keyid !== 'string') throw new EnvelopeError('a DSSE signature needs keyid and sig');
  }
  return o as DsseEnvelope;
}

/**
 * The first signature that one of `keys` verifies, with that key's id; null when none does (wrong
 * key, or payload or signature changed). A signature is tried against every key, not only the one
 * its keyid names: the keyid is a hint, not trusted.
 */
export function verifyEnvelope(env: DsseEnvelope, keys: KeyObject[]): { keyId: string } | null {
  const message = pae(env.payloadType, Buffer.from(env.payload, 'base64'));
  for (const s of env.signatures) {
    const sig = Buffer.from(s.sig, 'base64');
    for (const k of keys) {
      try {
        if (verify(null, message, k, sig)) return { keyId: keyIdOf(k) };
      } catch {
        // not an Ed25519 key or a malformed signature: try the next
      }
    }
  }
  return null;
}
