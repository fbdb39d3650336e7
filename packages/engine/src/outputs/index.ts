// The registry of output formats: ours (kernel+initrd, tar, tar-kernel-initrd) and the ISO/disk
// formats from outputs/disk. Adding a format = one module + one line here.
import { diskFormats } from './disk/index';
import { kernelInitrd } from './kernel-initrd';
import { rootfsTarFormat } from './tar';
import { tarKernelInitrd } from './tar-kernel-initrd';
import type { OutputFormat } from './types';

export type { OutputFormat, OutputContext, BuildEvent, ToolRequirement } from './types';

const formats = new Map<string, OutputFormat>();
for (const f of [kernelInitrd, rootfsTarFormat, tarKernelInitrd, ...diskFormats]) formats.set(f.name, f);

export function getFormat(name: string): OutputFormat | undefined {
  return formats.get(name);
}

export function listFormats(): string[] {
  return [...formats.keys()].sort();
}

/** Registers a format at run time (plugins, tests). */
export function registerFormat(f: OutputFormat): void {
  formats.set(f.name, f);
}
