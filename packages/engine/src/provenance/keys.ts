// The instance's signing keys in a directory (DATA_DIR/keys): the current Ed25519 private key
// (signing.pem, mode 0600) and every public key it ever had (public/<keyid>.json), so artifacts
// signed before a rotation still verify. The worker signs with the current key; the web app
// publishes the public ones (GET /api/v1/keys); the operator rotates (scripts/admin.mjs).

import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keyIdOf } from './dsse';

export interface PublicKeyRecord {
  keyId: string;
  algorithm: 'ed25519';
  /** SPKI PEM. */
  publicKey: string;
  createdAt: string;
}

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
}

const PRIVATE = 'signing.pem';

async function writePublic(dir: string, privateKey: KeyObject, createdAt = new Date()): Promise<PublicKeyRecord> {
  const pub = createPublicKey(privateKey);
  const rec: PublicKeyRecord = {
    keyId: keyIdOf(pub),
    algorithm: 'ed25519',
    publicKey: pub.export({ type: 'spki', format: 'pem' }).toString(),
    createdAt: createdAt.toISOString(),
  };
  await mkdir(path.join(dir, 'public'), { recursive: true });
  const file = path.join(dir, 'public', `${rec.keyId}.json`);
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(rec, null, 2) + '\n');
  await rename(tmp, file);
  return rec;
}

/** A new key written to a temp file in `dir`, its public half already published. */
async function newKeyFile(dir: string): Promise<{ tmp: string; key: SigningKey }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const rec = await writePublic(dir, privateKey);
  const tmp = path.join(dir, `${PRIVATE}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { tmp, key: { keyId: rec.keyId, privateKey } };
}

/** The current signing key (read anew each call, so a rotation applies to the next build). */
export async function currentSigningKey(dir: string): Promise<SigningKey | null> {
  let pem: string;
  try {
    pem = await readFile(path.join(dir, PRIVATE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${path.join(dir, PRIVATE)} is not an Ed25519 key`);
  return { keyId: keyIdOf(privateKey), privateKey };
}

/**
 * The current key, generated at first use. Several processes may start at once: the key file is
 * linked into place only if none exists, and the loser uses the winner's key.
 */
export async function ensureSigningKey(dir: string): Promise<SigningKey> {
  const have = await currentSigningKey(dir);
  if (have) return ensurePublished(dir, have);
  const { tmp, key } = await newKeyFile(dir);
  try {
    await link(tmp, path.join(dir, PRIVATE));
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    await rm(path.join(dir, 'public', `${key.keyId}.json`), { force: true });
    return (await currentSigningKey(dir))!;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function ensurePublished(dir: string, key: SigningKey): Promise<SigningKey> {
  // A key directory restored without public/ (or a hand-placed signing.pem) still publishes its key.
  const file = path.join(dir, 'public', `${key.keyId}.json`);
  const exists = await readFile(file).then(() => true, () => false);
  if (!exists) await writePublic(dir, key.privateKey);
  return key;
}

/** Replaces the current key by a new one; the old public key stays published for verification. */
export async function rotateSigningKey(dir: string): Promise<{ previous: string | null; current: SigningKey }> {
  const previous = (await currentSigningKey(dir))?.keyId ?? null;
  const { tmp, key } = await newKeyFile(dir);
  await rename(tmp, path.join(dir, PRIVATE));
  return { previous, current: key };
}

/** Every published public key, newest first, with `current` marking the one that signs now. */
export async function listPublicKeys(dir: string): Promise<(PublicKeyRecord & { current: boolean })[]> {
  const current = (await currentSigningKey(dir).catch(() => null))?.keyId;
  let names: string[];
  try {
    names = await readdir(path.join(dir, 'public'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: (PublicKeyRecord & { current: boolean })[] = [];
  for (const n of names.filter((x) => /^[0-9a-f]{64}\.json$/.test(x))) {
    const rec = JSON.parse(await readFile(path.join(dir, 'public', n), 'utf8')) as PublicKeyRecord;
    out.push({ ...rec, current: rec.keyId === current });
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

/** Public keys from PEM text (one or more SPKI blocks) or a GET /api/v1/keys answer. */
export function parsePublicKeys(text: string): KeyObject[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const body = JSON.parse(trimmed) as { keys?: { publicKey?: string }[] };
    return (body.keys ?? []).filter((k) => typeof k.publicKey === 'string').map((k) => createPublicKey(k.publicKey!));
  }
  const blocks = trimmed.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  return blocks.map((b) => createPublicKey(b));
}
