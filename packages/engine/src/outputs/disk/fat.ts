// FAT filesystem images (EFI system partitions, the BIOS boot partition, El Torito EFI images)
// made in a plain file with dosfstools and mtools: no loop mount, no root.
import { open, rm, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { runTool } from './tools';

export interface FatFile {
  /** Path inside the filesystem, e.g. "EFI/BOOT/BOOTX64.EFI". */
  dest: string;
  /** Host path of the content. */
  src: string;
}

export interface FatImageOptions {
  path: string;
  files: FatFile[];
  /** Volume label, at most 11 characters. */
  label: string;
  /** Volume serial number (stable across builds for reproducibility). */
  serial: number;
  sourceDateEpoch: number;
  /** Sector offset of the partition on its disk (FAT's "hidden sectors", which boot code reads). */
  hiddenSectors?: number;
  /** Room left free beyond the files, in bytes. */
  slackBytes?: number;
  signal?: AbortSignal;
}

export type FatType = 12 | 16 | 32;

const MiB = 1024 * 1024;

/** Bytes to give a FAT image holding files of these sizes: clusters, tables, slack, MiB-rounded. */
export function fatImageSize(fileSizes: number[], slackBytes = MiB): number {
  const cluster = 4096;
  const data = fileSizes.reduce((sum, s) => sum + Math.ceil(s / cluster) * cluster + cluster, 0);
  const withTables = data + Math.ceil(data / 64) + 512 * 1024;
  return Math.ceil((withTables + slackBytes) / MiB) * MiB;
}

/** Reads the FAT type mkfs.fat chose from the boot sector's filesystem type string. */
export async function fatType(path: string, offset = 0): Promise<FatType> {
  const fh = await open(path, 'r');
  try {
    const bs = Buffer.alloc(90);
    await fh.read(bs, 0, 90, offset);
    if (bs.toString('latin1', 82, 87) === 'FAT32') return 32;
    return bs.toString('latin1', 54, 59) === 'FAT12' ? 12 : 16;
  } finally {
    await fh.close();
  }
}

/** Makes the image at opts.path holding opts.files; returns its size in bytes and FAT type. */
export async function makeFatImage(format: string, opts: FatImageOptions): Promise<{ bytes: number; type: FatType }> {
  const sizes = await Promise.all(opts.files.map(async (f) => (await stat(f.src)).size));
  const bytes = fatImageSize(sizes, opts.slackBytes);
  const env = { SOURCE_DATE_EPOCH: String(opts.sourceDateEpoch) };
  await rm(opts.path, { force: true });
  await runTool(format, 'mkfs.fat', [
    '--invariant',
    '-i', opts.serial.toString(16).padStart(8, '0'),
    '-n', opts.label.toUpperCase().slice(0, 11),
    '-h', String(opts.hiddenSectors ?? 0),
    '-C', opts.path, String(bytes / 1024),
  ], { env, signal: opts.signal });

  const dirs = new Set<string>();
  for (const f of opts.files) {
    for (let d = posix.dirname(f.dest); d !== '.' && d !== '/'; d = posix.dirname(d)) dirs.add(d);
  }
  const sortedDirs = [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  if (sortedDirs.length) await runTool(format, 'mmd', ['-i', opts.path, ...sortedDirs.map((d) => `::/${d}`)], { env, signal: opts.signal });
  for (const f of opts.files) {
    await runTool(format, 'mcopy', ['-i', opts.path, f.src, `::/${f.dest}`], { env, signal: opts.signal });
  }
  return { bytes, type: await fatType(opts.path) };
}
