// The worker's two steps over other packages, as interfaces the build runner depends on: the
// engine step (buildEngine.ts over @oscompose/engine: parse + resolve, then plan + execute) and
// the boot step (bootStep.ts over @oscompose/bootcheck). Both import their packages statically,
// so `npm run typecheck` checks every call across the seam.

import type { BuildEvent as EngineEvent, ImageProvider, RegistryPolicy, ResolvedImages } from '@oscompose/engine';
import type { Spec } from '@oscompose/spec';
import type { BootExpectations, BootTimeline, ContainerStatus, ExpectationResult, Verdict } from '@oscompose/bootcheck';
export type { EngineEvent, RegistryPolicy };

export interface EngineArtifact {
  format: string;
  name: string;
  path: string;
  size: number;
  sha256: string;
}

/** A build's spec, parsed once and resolved once: what is stored, and what is planned from. */
export interface ResolvedSpec {
  /** The spec with every image reference pinned to a digest, as YAML text (what is stored). */
  text: string;
  /** The same spec, pinned, as the engine plans it. */
  spec: Spec;
  /** Every image of `spec` (keyed by its pinned reference) as the planner sees it. */
  images: ResolvedImages;
  /** The build's image provider: it flattens what it resolved (one unpack budget per build). */
  provider: ImageProvider;
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

export interface BuildEngine {
  version: string;
  /** Formats this machine can write; unknown names are a user error. */
  formats(): string[];
  /**
   * Parses the spec as a server must (host files refused) and pins every image; registries are
   * reached only as the build's team's registry policy allows.
   */
  resolve(specText: string, opts: { signal: AbortSignal; onEvent: (e: EngineEvent) => void; registries: RegistryPolicy }): Promise<ResolvedSpec>;
  /** Plans the resolved spec and executes the plan; says which artifacts can be boot-checked. */
  build(opts: {
    resolved: ResolvedSpec;
    formats: string[];
    outDir: string;
    workDir: string;
    name: string;
    signal: AbortSignal;
    onEvent: (e: EngineEvent) => void;
  }): Promise<{ artifacts: EngineArtifact[]; boot: BootTarget[]; notBootChecked: NotBootChecked[] }>;
}

/** What the boot check found for one artifact format (stored in the build's report). */
export interface BootResult {
  /** failed | booted | verified; `not checked` when this worker cannot boot it (no QEMU). */
  verdict: Verdict;
  /** One sentence quoting the console line that decided it, or why it was not checked. */
  message: string;
  expectations: ExpectationResult[];
  /** Our init's per-container table (empty for any other init). */
  containers: ContainerStatus[];
  durationMs: number | null;
  /** Where the boot's time went (@oscompose/bootcheck's bootTimeline). */
  timeline?: BootTimeline;
  /** The whole serial console ('' when nothing was booted). */
  console: string;
}

/** The boot step: starts one boot target in QEMU and judges it by what the user expects. */
export interface BootStep {
  check(target: BootTarget, opts: { signal: AbortSignal; workDir: string; expectations?: BootExpectations }): Promise<BootResult>;
}
