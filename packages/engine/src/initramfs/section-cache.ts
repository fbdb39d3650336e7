// Compressed section archives cached by a digest of their inputs (image digest, layout
// parameters, compression), so a rebuild recompresses only the sections that changed.
// Files are written to a temp name and renamed, so concurrent builds never see half a file.
import { access, mkdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface CachedSection {
  archive: Buffer;
  /** Side data a section carries (e.g. the init image's apk database). */
  extra?: Record<string, string>;
  /** Side files a section carries (e.g. the kernel binary and microcode of the kernel section). */
  blobs?: Record<string, Buffer>;
}

export class SectionCache {
  constructor(readonly dir: string) {}

  private file(key: string, ext: string) {
    return join(this.dir, `${key}.${ext}`);
  }

  async get(key: string, ext: string): Promise<CachedSection | undefined> {
    try {
      const archive = await readFile(this.file(key, ext));
      // Mark as used: `oscompose cache prune` removes what was not used for a while.
      const now = new Date();
      await utimes(this.file(key, ext), now, now).catch(() => {});
      let extra: Record<string, string> | undefined;
      try {
        extra = JSON.parse(await readFile(this.file(key, `${ext}.json`), 'utf8')) as Record<string, string>;
      } catch {
        extra = undefined;
      }
      const blobs: Record<string, Buffer> = {};
      for (const name of Object.keys(extra ?? {}).filter((k) => k.startsWith('blob:'))) {
        blobs[name.slice(5)] = await readFile(this.file(key, `${ext}.${name.slice(5)}`));
      }
      return { archive, extra, blobs };
    } catch {
      return undefined;
    }
  }

  async has(key: string, ext: string): Promise<boolean> {
    try {
      await access(this.file(key, ext));
      return true;
    } catch {
      return false;
    }
  }

  async put(key: string, ext: string, value: CachedSection): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `.${randomBytes(6).toString('hex')}.tmp`;
    const extra = { ...(value.extra ?? {}) };
    for (const [name, data] of Object.entries(value.blobs ?? {})) {
      await writeFile(join(this.dir, tmp + 'b'), data);
      await rename(join(this.dir, tmp + 'b'), this.file(key, `${ext}.${name}`));
      extra[`blob:${name}`] = String(data.length);
    }
    value = { ...value, extra };
    if (Object.keys(extra).length) {
      await writeFile(join(this.dir, tmp + 'j'), JSON.stringify(value.extra));
      await rename(join(this.dir, tmp + 'j'), this.file(key, `${ext}.json`));
    }
    await writeFile(join(this.dir, tmp), value.archive);
    await rename(join(this.dir, tmp), this.file(key, ext));
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
