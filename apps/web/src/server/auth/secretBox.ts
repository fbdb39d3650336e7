// Encryption at rest for registry credentials: AES-256-GCM with a key derived (HKDF-SHA256) from
// the server secret (AUTH_SECRET / OSCOMPOSE_SECRET). Stored text: `v1:<iv>:<tag>:<ciphertext>`,
// base64url. The worker opens it with the same secret, reading credentials by teamId — the secret
// is never put in a job payload nor sent to the browser.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

function key(serverSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', serverSecret, 'oscompose', 'registry-credentials/v1', 32));
}

export function sealSecret(plain: string, serverSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(serverSecret), iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
}

export function openSecret(sealed: string, serverSecret: string): string {
  const [v, iv, tag, ct] = sealed.split(':');
  if (v !== 'v1' || !iv || !tag || ct === undefined) throw new SecretBoxError('The stored credential is not in the v1 format; enter it again in Settings → Registry credentials.');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key(serverSecret), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('The stored credential cannot be decrypted: the server secret (AUTH_SECRET) changed since it was saved. Restore the old secret or enter the credential again.');
  }
}
