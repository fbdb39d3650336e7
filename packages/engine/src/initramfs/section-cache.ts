// Compressed section archives cached by a digest of their inputs (image digest, layout
// parameters, compression), so a rebuild recompresses only the sections that changed. Entries
// are files, handed out by path (never read whole into memory). Files are written under a temp
// name and renamed, so concurrent builds never see half a file.
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CachedSection {
  /** Path of the compressed archive. */
  archive: string;
  /** Side data a section carries (e.g. its uncompressed size). */
  extra?: Record<string, string>;
  /** Side files a section carries, by name → path (the kernel binary, microcode, the init image's apk database). */
  blobs?: Record<string, string>;
}

export class SectionCache {
  constructor(readonly dir: string) {}

  private file(key: string, ext: string) {
    return join(this.dir, `${key}.${ext}`);
  }

  async get(key: string, ext: string): Promise<CachedSection | undefined> {
    try {
      const archive = this.file(key, ext);
      // Mark as used: `oscompose cache prune` removes what was not used for a while.
      const now = new Date();
      await utimes(archive, now, now);
      let extra: Record<string, string> | undefined;
      try {
        extra = JSON.parse(await readFile(this.file(key, `${ext}.json`), 'utf8')) as Record<string, string>;
      } catch {
        extra = undefined;
      }
      const blobs: Record<string, string> = {};
      for (const name of Object.keys(extra ?? {}).filter((k) => k.startsWith('blob:'))) {
        const p = this.file(key, `${ext}.${name.slice(5)}`);
        await stat(p);
        blobs[name.slice(5)] = p;
      }
      return { archive, extra, blobs };
    } catch {
      return undefined;
    }
  }

  async has(key: string, ext: string): Promise<boolean> {
    try {
      await stat(this.file(key, ext));
      return true;
    } catch {
      return false;
    }
  }

  /** A fresh path in the cache directory to write an archive to before put() (same file system: put renames it). */
  async tempPath(): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    return join(this.dir, `.${randomBytes(6).toString('hex')}.tmp`);
  }

  /**
   * Stores an archive (moved in when it is a tempPath(), else copied) and its side files (copied);
   * the archive goes last, so a reader that finds it finds its side files too.
   */
  async put(key: string, ext: string, value: CachedSection): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const extra = { ...(value.extra ?? {}) };
    for (const [name, path] of Object.entries(value.blobs ?? {})) {
      const tmp = await this.tempPath();
      await linkOrCopy(path, tmp);
      await rename(tmp, this.file(key, `${ext}.${name}`));
      extra[`blob:${name}`] = String((await stat(this.file(key, `${ext}.${name}`))).size);
    }
    if (Object.keys(extra).length) {
      const tmp = await this.tempPath();
      await writeFile(tmp, JSON.stringify(extra));
      await rename(tmp, this.file(key, `${ext}.json`));
    }
    if (value.archive.startsWith(join(this.dir, '.'))) await rename(value.archive, this.file(key, ext));
    else {
      const tmp = await this.tempPath();
      await linkOrCopy(value.archive, tmp);
      await rename(tmp, this.file(key, ext));
    }
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A hard link where the file system allows (no copy), else a copy. */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/**
 * As linkOrCopy, replacing whatever `to` is (an artifact of an earlier build): the link is made
 * beside it and renamed over it, so `to` is never missing or half written. Only for a `from`
 * nobody writes to afterwards (a build's own scratch file), never a cache file: the artifact and
 * `from` are then one file.
 */
export async function linkOrCopyOver(from: string, to: string): Promise<void> {
  const tmp = `${to}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await link(from, tmp);
    await rename(tmp, to);
  } catch {
    await rm(tmp, { force: true });
    await copyFile(from, to);
  }
}
