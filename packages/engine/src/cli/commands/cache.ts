// `oscompose cache ls|rm|prune`: what the cache holds (images in the blob cache, section
// archives) and removing it. Images go through BlobCache (forget in index.json, then prune the
// blobs nothing names), so index.json never names a missing blob.
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir } from '../../cache/blob-cache';
import { BlobCache } from '../../cache/blob-cache';
import { normaliseReference } from '../../oci/reference';
import { parse } from '../args';
import { EXIT, UsageError, type Command } from '../command';

interface Item {
  kind: 'image' | 'sections';
  name: string;
  size: number;
  /** Last use (section archives; images are not dated). */
  mtime?: Date;
  /** Section archive files; images are removed through the blob cache. */
  path?: string;
}

async function sectionItems(cacheDir: string): Promise<Item[]> {
  const dir = join(cacheDir, 'sections');
  const out: Item[] = [];
  const walk = async (d: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      const s = await stat(p).catch(() => undefined);
      if (!s) continue;
      if (s.isDirectory()) await walk(p);
      else out.push({ kind: 'sections', name: p.slice(dir.length + 1), path: p, size: s.size, mtime: s.mtime });
    }
  };
  await walk(dir);
  return out;
}

async function imageItems(blobs: BlobCache): Promise<Item[]> {
  const images = await blobs.ls().catch(() => []);
  return images.map((i) => ({ kind: 'image' as const, name: i.reference, size: i.size }));
}

const human = (n: number) => (n > 1 << 30 ? `${(n / (1 << 30)).toFixed(1)}G` : n > 1 << 20 ? `${(n / (1 << 20)).toFixed(1)}M` : n > 1 << 10 ? `${(n / 1024).toFixed(1)}K` : `${n}B`);

function sameImage(name: string, ref: string): boolean {
  try {
    return normaliseReference(name).name === normaliseReference(ref).name;
  } catch {
    return false;
  }
}

export const cacheCommand: Command = {
  name: 'cache',
  usage: `Usage: oscompose cache ls|rm|prune [options]

  ls                     list cached items (kind, size, last use, name)
  rm NAME... | --all     remove images (by reference) or section archives (by name, as ls
                         prints them), or everything
  prune [--days N]       remove blobs no cached image uses, and section archives not used
                         for N days (default 30)

Blobs written in the last hour are kept by rm and prune: a build running now may be using them.

Options:
      --cache DIR        the cache (default $OSCOMPOSE_CACHE or ~/.cache/oscompose)`,
  async run(args, io) {
    const { values, positionals } = parse(args, { cache: { type: 'string' }, all: { type: 'boolean' }, days: { type: 'string' }, json: { type: 'boolean' } });
    const [sub, ...names] = positionals;
    const cacheDir = values.cache ?? defaultCacheDir(io.env);
    const blobs = new BlobCache(cacheDir);
    if (sub === 'ls') {
      const all = [...(await imageItems(blobs)), ...(await sectionItems(cacheDir))];
      if (values.json) io.stdout.write(`${JSON.stringify(all.map(({ path: _p, ...i }) => i), null, 2)}\n`);
      else {
        for (const i of all) io.stdout.write(`${i.kind.padEnd(9)} ${human(i.size).padStart(7)}  ${i.mtime ? i.mtime.toISOString().slice(0, 10) : '-'.padEnd(10)}  ${i.name}\n`);
        io.stdout.write(`${all.length} items, ${human(all.reduce((n, i) => n + i.size, 0))} in ${cacheDir}\n`);
      }
      return EXIT.ok;
    }
    if (sub === 'rm') {
      const sections = await sectionItems(cacheDir);
      if (values.all) {
        const images = await imageItems(blobs);
        const pruned = await blobs.prune({ all: true });
        for (const s of sections) await rm(s.path!, { force: true });
        io.stdout.write(`removed ${images.length} images (${pruned.removed} blobs, ${human(pruned.bytes)}) and ${sections.length} section archives\n`);
        return EXIT.ok;
      }
      if (!names.length) throw new UsageError('cache rm needs item names (see cache ls) or --all');
      const images = await imageItems(blobs);
      let missing = 0;
      const refs: string[] = [];
      for (const n of names) {
        const image = images.find((i) => i.name === n || sameImage(n, i.name));
        const hit = sections.filter((i) => i.name === n || i.name.startsWith(`${n}.`) || i.name.startsWith(`${n}-`));
        if (!image && !hit.length) {
          io.stderr.write(`${n}: not in the cache (see oscompose cache ls)\n`);
          missing++;
        }
        if (image) refs.push(image.name);
        for (const i of hit) await rm(i.path!, { force: true });
      }
      if (refs.length) {
        const removed = await blobs.rm(refs);
        const pruned = await blobs.prune();
        io.stdout.write(`removed ${removed.length} images (${pruned.removed} blobs freed, ${human(pruned.bytes)})\n`);
      }
      return missing ? EXIT.failed : EXIT.ok;
    }
    if (sub === 'prune') {
      const days = Number(values.days ?? 30);
      if (!Number.isFinite(days) || days < 0) throw new UsageError('--days must be a number of days');
      const cutoff = Date.now() - days * 86400_000;
      const old = (await sectionItems(cacheDir)).filter((i) => i.mtime!.getTime() < cutoff);
      for (const i of old) await rm(i.path!, { force: true });
      const pruned = await blobs.prune();
      io.stdout.write(
        `removed ${pruned.removed} unused blobs (${human(pruned.bytes)}) and ${old.length} section archives (${human(old.reduce((n, i) => n + i.size, 0))})\n`,
      );
      return EXIT.ok;
    }
    throw new UsageError(`cache needs a subcommand: ls, rm or prune${sub ? ` (not "${sub}")` : ''}`);
  },
};

/** Marks a cache file as used now (prune keeps recently used items). */
export async function touch(path: string): Promise<void> {
  const now = new Date();
  await utimes(path, now, now).catch(() => {});
}
