// The contract between the engine's build stage and its output formats. A format is one module
// (kernel+initrd, tar, iso-bios, raw-efi, …) registered in outputs/index.ts; it receives the
// assembled pieces and writes its artifact files into outDir.

export interface BuildEvent {
  type: 'stage' | 'progress' | 'log' | 'artifact';
  stage?: string; // resolve | fetch | assemble | compress | output | …
  section?: string;
  done?: number;
  total?: number;
  message?: string;
  level?: 'info' | 'warn' | 'error';
  file?: string;
}

/** A host tool a format needs, with the Debian package that provides it (reported when missing). */
export interface ToolRequirement {
  tool: string; // an executable name looked up on PATH, or an absolute file path
  debianPackage: string;
}

export interface OutputContext {
  /** Base name of the artifacts (`--name`), e.g. "linuxkit" → linuxkit-kernel, linuxkit.iso. */
  name: string;
  outDir: string;
  /** Scratch directory private to this build; removed afterwards. */
  workDir: string;
  /** Path of the kernel image (bzImage) from the spec's kernel section. */
  kernel: string;
  /** The kernel command line from the spec (what a bootloader must pass). */
  cmdline: string;
  /** Path of the compressed initramfs (concatenated per-section cpio archives). */
  initrd: string;
  /** Path of the microcode cpio when the kernel image has one. */
  ucode?: string;
  /** Writes (once, on demand) an uncompressed tar of the whole root filesystem; returns its path. */
  rootfsTar(): Promise<string>;
  /** Seconds since the epoch used for every timestamp, volume id and UUID seed (reproducibility). */
  sourceDateEpoch: number;
  signal?: AbortSignal;
  emit(event: BuildEvent): void;
}

export interface OutputFormat {
  /** The format name as LinuxKit spells it: "kernel+initrd", "iso-bios", … */
  name: string;
  /** Host tools this format needs; checked before a build starts. */
  requires: ToolRequirement[];
  /** How the format boots, for the boot check: kernel+initrd direct, cdrom or disk; bios or efi. */
  boot?: { medium: 'kernel+initrd' | 'cdrom' | 'disk' | 'uki'; firmware: 'bios' | 'efi' };
  /** File names this format writes for a given base name (LinuxKit's names). */
  artifacts(name: string): string[];
  /** Writes the artifacts into ctx.outDir; returns their paths. */
  write(ctx: OutputContext): Promise<string[]>;
}
