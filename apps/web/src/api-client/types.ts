// Response shapes of /api/v1 as the browser sees them (docs/api.md is the contract).
import type { SpecProblem } from '../spec-client/problems';
import type { ArtifactBootReport, BootCheckReport, Verdict } from '@oscompose/bootcheck/report';

export type { HttpExpectation } from '@oscompose/bootcheck/expectations';
export type { ConsoleLine, ExpectationResult, Verdict } from '@oscompose/bootcheck/report';

// The server's serializers are the one definition of these shapes; the browser imports only
// their types (erased at build time).
export type { CatalogEntryDto as CatalogEntry } from '../server/catalog/serializeCatalogEntry';
export type { CompositionSummaryDto as CompositionSummary } from '../server/compositions/compositions';
import type { CompositionSummaryDto as CompositionSummary } from '../server/compositions/compositions';

export interface CompositionVersionInfo {
  version: number;
  createdAt: string;
  author: { id: string; name: string } | null;
  message: string;
}

export type { BootExpectations } from '@oscompose/bootcheck/expectations';
import type { BootExpectations } from '@oscompose/bootcheck/expectations';

export interface CompositionDetail extends CompositionSummary {
  spec: string;
  /** The latest version's boot expectations (null: none beyond a boot). */
  bootCheck: BootExpectations | null;
  versions: CompositionVersionInfo[];
}

export interface FormatInfo {
  name: string;
  available: boolean;
  missing: { tool: string; debianPackage: string }[];
}

export interface PlanResult {
  /** source: store | cache | registry | catalog; error when the image did not resolve. */
  images: { reference: string; digest: string | null; source: string; cached: boolean; error?: string }[];
  /** kind: kernel | init | container | volume | files (older servers leave it out). */
  sections: { name: string; kind?: string; cached: boolean }[];
  problems: SpecProblem[];
}

export interface BuildSummary {
  id: string;
  name: string;
  status: string;
  formats: string[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  requester: { id: string; name: string } | null;
  /** ok = the verdict is not failed. */
  bootCheck: { ok: boolean; verdict: Verdict } | null;
  cached: boolean;
}

export interface BuildArtifact {
  id: string;
  name: string;
  format: string;
  size: number;
  sha256: string;
  downloadUrl: string;
  /** The boot check of this artifact's format; null when it was not booted. */
  bootCheck?: { ok: boolean; verdict: Verdict; message: string } | null;
  /** Its format's boot failed: published for debugging, but it did not boot. */
  didNotBoot?: boolean;
}

/** One boot-checked artifact format (kernel+initrd: its files together). */
export interface ArtifactBootCheck extends Omit<ArtifactBootReport, 'consoleName'> {
  /** verdict === 'failed': its artifacts are published but did not boot. */
  didNotBoot: boolean;
  /** The whole serial console's file name (NAME.console.txt), null when nothing was booted. */
  consoleName: string | null;
  /** Download URL of that file (same auth as artifacts), null when nothing was booted. */
  console: string | null;
}

/** GET /api/v1/builds/:id `bootCheck` (docs/api.md "Boot check"). */
export interface BuildBootCheck extends Omit<BootCheckReport, 'artifacts'> {
  artifacts: ArtifactBootCheck[];
  /** verdict !== 'failed' (as before verdicts existed). */
  ok: boolean;
  /** Our init's container table of the deciding artifact (empty for other inits). */
  containers: ArtifactBootReport['containers'];
}

export interface BuildDetail extends BuildSummary {
  specText: string;
  resolvedSpec: string | null;
  error: string | null;
  cachedFromId: string | null;
  bootCheck: BuildBootCheck | null;
  artifacts: BuildArtifact[];
  /** The signed provenance of the artifacts (NAME.intoto.jsonl); null for builds from before it. */
  provenance?: BuildProvenance | null;
  /** The active netboot URL: its path (/boot/<token>.ipxe) and absolute on the public URL; null when there is none. */
  netboot?: { path: string; url?: string } | null;
  /** The team's composition the build was made from, with its "latest succeeded build" netboot URL. */
  composition?: { id: string; name: string; netboot: { path: string; url?: string } | null } | null;
  /** The build's SPDX SBOM (NAME.spdx.json): `url` serves it as JSON; null for builds from before it. */
  sbom?: BuildSbom | null;
  /** The size breakdown of its initramfs (NAME.contents.json): `url` serves it as JSON; null for builds from before it. */
  contents?: BuildSbom | null;
}

export interface BuildSbom {
  name: string;
  size: number;
  sha256: string;
  downloadUrl: string;
  url: string;
}

export interface BuildProvenance {
  name: string;
  size: number;
  sha256: string;
  downloadUrl: string;
  /** The server key that verifies it (sha256 of the public key), or null when none does. */
  keyId: string | null;
  key: 'current' | 'retired' | 'unknown';
}

export interface ApiErrorBody {
  error: { code: string; message: string; problems?: SpecProblem[] };
}
