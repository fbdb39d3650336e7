// Host tools the disk formats shell out to: which Debian package provides each, how to tell
// whether it is present, and one way to run them (unprivileged, no shell, errors naming the fix).
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { OutputFormat, ToolRequirement } from '../types';

/** A disk format could not be written: names the format, what failed and what to do about it. */
export class DiskImageError extends Error {
  constructor(
    readonly format: string,
    message: string,
    readonly fix?: string,
  ) {
    super(`${format}: ${message}${fix ? ` — ${fix}` : ''}`);
    this.name = 'DiskImageError';
  }
}

export const SYSLINUX_DIR = '/usr/lib/syslinux';
export const ISOLINUX_BIN = '/usr/lib/ISOLINUX/isolinux.bin';
export const ISOHYBRID_MBR = '/usr/lib/ISOLINUX/isohdpfx.bin';
export const LDLINUX_C32 = '/usr/lib/syslinux/modules/bios/ldlinux.c32';
export const SYSLINUX_MBR = '/usr/lib/syslinux/mbr/mbr.bin';
export const EFI_STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub';

/** Every tool a disk format may need, keyed for reuse in the formats' `requires` lists. */
export const TOOLS = {
  xorriso: { tool: 'xorriso', debianPackage: 'xorriso' },
  isolinux: { tool: ISOLINUX_BIN, debianPackage: 'isolinux' },
  isohybridMbr: { tool: ISOHYBRID_MBR, debianPackage: 'isolinux' },
  ldlinux: { tool: LDLINUX_C32, debianPackage: 'syslinux-common' },
  syslinux: { tool: 'syslinux', debianPackage: 'syslinux' },
  syslinuxMbr: { tool: SYSLINUX_MBR, debianPackage: 'syslinux-common' },
  mkfsFat: { tool: 'mkfs.fat', debianPackage: 'dosfstools' },
  mcopy: { tool: 'mcopy', debianPackage: 'mtools' },
  mmd: { tool: 'mmd', debianPackage: 'mtools' },
  objcopy: { tool: 'objcopy', debianPackage: 'binutils' },
  efiStub: { tool: EFI_STUB, debianPackage: 'systemd-boot-efi' },
  qemuImg: { tool: 'qemu-img', debianPackage: 'qemu-utils' },
  mksquashfs: { tool: 'mksquashfs', debianPackage: 'squashfs-tools' },
} satisfies Record<string, ToolRequirement>;

/** The sbin directories are not on an unprivileged user's PATH, but mkfs.fat lives there. */
function searchPath(): string[] {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const extra of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!dirs.includes(extra)) dirs.push(extra);
  return dirs;
}

/** Absolute path of a tool (executable on PATH or an absolute file), or undefined when absent. */
export function locateTool(tool: string): string | undefined {
  if (isAbsolute(tool)) {
    try {
      accessSync(tool, constants.R_OK);
      return tool;
    } catch {
      return undefined;
    }
  }
  for (const dir of searchPath()) {
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export interface MissingTool extends ToolRequirement {
  /** Formats that need this tool. */
  formats: string[];
}

/**
 * What is absent for the given formats, one row per tool, so a CLI or a worker can say
 * "iso-bios needs xorriso (apt-get install xorriso)" before it starts building.
 */
export function missingTools(formats: OutputFormat[], locate: (tool: string) => string | undefined = locateTool): MissingTool[] {
  const missing = new Map<string, MissingTool>();
  for (const format of formats) {
    for (const req of format.requires) {
      if (locate(req.tool)) continue;
      const row = missing.get(req.tool) ?? { ...req, formats: [] };
      if (!row.formats.includes(format.name)) row.formats.push(format.name);
      missing.set(req.tool, row);
    }
  }
  return [...missing.values()];
}

/** One line per missing tool, e.g. "iso-bios, iso-efi need xorriso (apt-get install xorriso)". */
export function describeMissing(missing: MissingTool[]): string[] {
  return missing.map(
    (m) => `${m.formats.join(', ')} ${m.formats.length > 1 ? 'need' : 'needs'} ${m.tool} (apt-get install ${m.debianPackage})`,
  );
}

/** The formats whose every tool is present on this host (what a worker advertises). */
export function availableFormats(formats: OutputFormat[], locate: (tool: string) => string | undefined = locateTool): OutputFormat[] {
  return formats.filter((f) => f.requires.every((r) => locate(r.tool)));
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  stdin?: NodeJS.ReadableStream;
  signal?: AbortSignal;
}

/** Runs a tool to completion; a non-zero exit becomes a DiskImageError carrying its stderr. */
export async function runTool(format: string, tool: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const path = locateTool(tool);
  if (!path) {
    const req = Object.values(TOOLS).find((t) => t.tool === tool);
    throw new DiskImageError(format, `${tool} is not installed`, req ? `apt-get install ${req.debianPackage}` : undefined);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, {
      cwd: opts.cwd,
      env: { ...process.env, MTOOLS_SKIP_CHECK: '1', LC_ALL: 'C', ...opts.env },
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      signal: opts.signal,
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    if (opts.stdin && child.stdin) {
      child.stdin.on('error', () => {}); // the exit code reports the real failure
      opts.stdin.pipe(child.stdin);
    }
    child.on('error', (e) => reject(new DiskImageError(format, `could not run ${tool}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new DiskImageError(format, `${tool} ${args.join(' ')} failed (exit ${code}): ${(err || out).trim().slice(-2000)}`));
    });
  });
}
