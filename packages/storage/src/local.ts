// Artifact store on a local directory (default `data/artifacts`). Publishing copies into a temp
// file inside the store, fsyncs it, then renames it into place: rename is atomic on one
// filesystem, so a reader never opens a half-written artifact.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { StorageError, checkKey, type ArtifactStore, type ByteRange, type StoredObject } from './types';

const TMP = '.incoming';

export class LocalArtifactStore implements ArtifactStore {
  readonly kind = 'local' as const;
  constructor(readonly root: string) {}

  private file(key: string): string {
    return path.join(this.root, ...checkKey(key).split('/'));
  }

  async put(key: string, sourcePath: string, opts: { expectSha256?: string } = {}): Promise<StoredObject> {
    const dest = this.file(key);
    const tmpDir = path.join(this.root, TMP);
    await mkdir(tmpDir, { recursive: true });
    await mkdir(path.dirname(dest), { recursive: true });
    const tmp = path.join(tmpDir, `${randomBytes(8).toString('hex')}-${path.basename(dest)}`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        createReadStream(sourcePath),
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            size += chunk.length;
            done(null, chunk);
          },
        }),
        createWriteStream(tmp, { mode: 0o644 }),
      );
      const sha256 = hash.digest('hex');
      if (opts.expectSha256 && opts.expectSha256 !== sha256) {
        throw new StorageError('checksum_mismatch', `Artifact ${key}: content sha256 ${sha256} is not the expected ${opts.expectSha256}; the source changed while publishing.`);
      }
      const fh = await open(tmp, 'r');
      await fh.sync();
      await fh.close();
      await rename(tmp, dest);
      return { key, size, sha256 };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const st = await stat(this.file(key));
      return st.isFile() ? { key, size: st.size } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.file(key);
    const st = await this.stat(key);
    if (!st) throw new StorageError('not_found', `Artifact ${key} is not in the store (it may have been removed by retention).`);
    return createReadStream(file, range ? { start: range.start, end: range.end } : {});
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) await rm(this.file(key), { force: true });
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const base = prefix ? this.file(prefix.replace(/\/+$/, '')) : this.root;
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (dir === this.root && e.name === TMP) continue;
          await walk(full);
        } else if (e.isFile()) {
          const st = await stat(full);
          out.push({ key: path.relative(this.root, full).split(path.sep).join('/'), size: st.size });
        }
      }
    };
    await walk(base);
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }
}
