// The worker's view of @oscompose/engine and @oscompose/bootcheck, in one module so the build
// runner depends on a small interface (and the adaptation to their exact shapes lives here).

/** The engine's structured build event (stage, section, bytes done of total, log lines). */
import type { BuildEvent as EngineEvent, RegistryPolicy } from '@oscompose/engine';
export type { EngineEvent, RegistryPolicy };

export interface EngineArtifact {
  format: string;
  name: string;
  path: string;
  size: number;
  sha256: string;
}

export interface ResolvedSpec {
  /** The spec with every image reference pinned to a digest, as YAML text (what is stored). */
  text: string;
  /** The resolved spec object handed back to build(). */
  spec: unknown;
}

export interface BootResult {
  ok: boolean;
  bootComplete?: boolean;
  durationMs?: number;
  containers?: { phase: string; name: string; status: string; exitCode?: number | null }[];
  console?: string;
  http?: unknown;
  error?: string;
}

export interface BootTarget {
  format: string;
  kernel?: string;
  initrd?: string;
  cmdline?: string;
  iso?: string;
  disk?: string;
  /** QEMU's block driver for `disk` (qcow2, vpc for VHD, vmdk; raw when absent). */
  diskFormat?: 'raw' | 'qcow2' | 'vpc' | 'vmdk';
  /** A bare UKI: the boot check wraps it in an EFI system partition disk first. */
  uki?: string;
  firmware?: 'bios' | 'efi';
}

/** An artifact format the boot check does not boot (kernel+squashfs, tar), and why. */
export interface NotBootChecked {
  format: string;
  reason: string;
}

export interface Engine {
  version: string;
  /** Formats this machine can write; unknown names are a user error. */
  formats(): string[];
  /**
   * Parses the spec as a server must (host files refused) and pins every image; registries are
   * reached only as the build's team's registry policy allows.
   */
  resolve(specText: string, opts: { signal: AbortSignal; onEvent: (e: EngineEvent) => void; registries: RegistryPolicy }): Promise<ResolvedSpec>;
  build(opts: {
    resolved: ResolvedSpec;
    formats: string[];
    outDir: string;
    workDir: string;
    name: string;
    signal: AbortSignal;
    onEvent: (e: EngineEvent) => void;
    registries: RegistryPolicy;
  }): Promise<{ artifacts: EngineArtifact[]; boot: BootTarget[]; notBootChecked?: NotBootChecked[] }>;
  bootCheck?(target: BootTarget, opts: { signal: AbortSignal; workDir: string }): Promise<BootResult>;
}
