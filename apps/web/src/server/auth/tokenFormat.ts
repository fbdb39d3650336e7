// API token text: `osc_` + 32 random bytes (base64url). Only the SHA-256 is stored; the first
// characters (prefix) are kept so users can tell their tokens apart in the settings page.
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'osc_';

export function newTokenText(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What the UI shows for a token it cannot show again: `osc_AbCdEfGh…`. */
export function tokenDisplayPrefix(text: string): string {
  return text.slice(0, TOKEN_PREFIX.length + 8);
}

export function looksLikeToken(text: string): boolean {
  return text.startsWith(TOKEN_PREFIX) && /^[A-Za-z0-9_-]{40,}$/.test(text.slice(TOKEN_PREFIX.length));
}
