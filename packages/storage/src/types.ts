// The artifact store contract: where a build's output files live once published. Keys are
// slash-separated (`builds/<buildId>/<name>`); a key is visible only once its content is complete.

import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  size: number;
  /** Hex sha256 of the content, when the store knows it (computed on put; S3 keeps it as metadata). */
  sha256?: string;
}

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface ArtifactStore {
  readonly kind: 'local' | 's3';
  /**
   * Publishes the file at `sourcePath` under `key`, atomically: readers see the old object, or
   * none, until the new one is complete. Verifies `expectSha256` when given. Re-putting a key
   * replaces it (a re-run after a crash never leaves two copies).
   */
  put(key: string, sourcePath: string, opts?: { expectSha256?: string; contentType?: string }): Promise<StoredObject>;
  /** Size (and sha256 if known) of a published object, or null. */
  stat(key: string): Promise<StoredObject | null>;
  /** The object's bytes (or the given inclusive range). Throws StorageError('not_found') when absent. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes objects; absent keys are fine (retention may run twice). */
  delete(keys: string[]): Promise<void>;
  /** Keys under a prefix (for retention sweeps and orphan clean-up). */
  list(prefix: string): Promise<StoredObject[]>;
}

export class StorageError extends Error {
  constructor(
    readonly code: 'not_found' | 'checksum_mismatch' | 'bad_key' | 'unavailable' | 'config',
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** Keys are relative, slash-separated, with no empty, `.` or `..` segment: they can never escape the store. */
export function checkKey(key: string): string {
  if (!key || key.startsWith('/') || key.includes('\\') || key.includes('\0')) {
    throw new StorageError('bad_key', `Bad artifact key ${JSON.stringify(key)}: use a relative path like builds/<id>/<name>.`);
  }
  for (const seg of key.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') {
      throw new StorageError('bad_key', `Bad artifact key ${JSON.stringify(key)}: empty, "." and ".." segments are not allowed.`);
    }
  }
  return key;
}

export function artifactKey(buildId: string, name: string): string {
  return checkKey(`builds/${buildId}/${name}`);
}
