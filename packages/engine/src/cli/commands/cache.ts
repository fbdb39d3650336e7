// `oscompose cache ls|rm|prune`: what the cache holds (blobs, section archives), and removing it.
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir } from '../../build';
import { parse } from '../args';
import { EXIT, UsageError, type Command } from '../command';

interface Item {
  kind: string;
  name: string;
  path: string;
  size: number;
  mtime: Date;
}

async function walk(dir: string, kind: string, out: Item[], base = dir): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    const s = await stat(p);
    if (s.isDirectory()) await walk(p, kind, out, base);
    else out.push({ kind, name: p.slice(base.length + 1), path: p, size: s.size, mtime: s.mtime });
  }
}

async function items(cacheDir: string): Promise<Item[]> {
  const out: Item[] = [];
  let top: string[] = [];
  try {
    top = await readdir(cacheDir);
  } catch {
    return out;
  }
  for (const t of top) {
    const p = join(cacheDir, t);
    if ((await stat(p)).isDirectory()) await walk(p, t, out);
  }
  return out;
}

const human = (n: number) => (n > 1 << 30 ? `${(n / (1 << 30)).toFixed(1)}G` : n > 1 << 20 ? `${(n / (1 << 20)).toFixed(1)}M` : n > 1 << 10 ? `${(n / 1024).toFixed(1)}K` : `${n}B`);

export const cacheCommand: Command = {
  name: 'cache',
  summary: 'list or remove cached blobs and section archives (ls | rm | prune)',
  usage: `Usage: oscompose cache ls|rm|prune [options]

  ls                     list cached items (kind, size, last use, name)
  rm NAME... | --all     remove items by name (as ls prints them) or everything
  prune [--days N]       remove items not used for N days (default 30)

Options:
      --cache DIR        the cache (default $OSCOMPOSE_CACHE or ~/.cache/oscompose)`,
  async run(args, io) {
    const { values, positionals } = parse(args, { cache: { type: 'string' }, all: { type: 'boolean' }, days: { type: 'string' }, json: { type: 'boolean' } });
    const [sub, ...names] = positionals;
    const cacheDir = values.cache ?? (io.env.OSCOMPOSE_CACHE || defaultCacheDir());
    const all = await items(cacheDir);
    if (sub === 'ls') {
      if (values.json) io.stdout.write(`${JSON.stringify(all.map(({ path: _p, ...i }) => i), null, 2)}\n`);
      else {
        for (const i of all) io.stdout.write(`${i.kind.padEnd(9)} ${human(i.size).padStart(7)}  ${i.mtime.toISOString().slice(0, 10)}  ${i.name}\n`);
        io.stdout.write(`${all.length} items, ${human(all.reduce((n, i) => n + i.size, 0))} in ${cacheDir}\n`);
      }
      return EXIT.ok;
    }
    if (sub === 'rm') {
      if (values.all) {
        for (const i of all) await rm(i.path, { force: true });
        io.stdout.write(`removed ${all.length} items\n`);
        return EXIT.ok;
      }
      if (!names.length) throw new UsageError('cache rm needs item names (see cache ls) or --all');
      let missing = 0;
      for (const n of names) {
        const hit = all.filter((i) => i.name === n || i.name.startsWith(`${n}.`) || i.name.startsWith(`${n}-`));
        if (!hit.length) {
          io.stderr.write(`${n}: not in the cache\n`);
          missing++;
        }
        for (const i of hit) await rm(i.path, { force: true });
      }
      return missing ? EXIT.failed : EXIT.ok;
    }
    if (sub === 'prune') {
      const days = Number(values.days ?? 30);
      if (!Number.isFinite(days) || days < 0) throw new UsageError('--days must be a number of days');
      const cutoff = Date.now() - days * 86400_000;
      const old = all.filter((i) => i.mtime.getTime() < cutoff);
      for (const i of old) await rm(i.path, { force: true });
      io.stdout.write(`removed ${old.length} items, ${human(old.reduce((n, i) => n + i.size, 0))}\n`);
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
