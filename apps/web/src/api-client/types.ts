// Response shapes of /api/v1 as the browser sees them (docs/api.md is the contract).
import type { SpecProblem } from '../spec-client/problems';

export interface CatalogEntry {
  id: string;
  reference: string;
  name: string;
  kind: string;
  title: string;
  description: string;
  defaultConfig: Record<string, unknown>;
  pinnedDigest: string | null;
  tags: { tag: string; digest: string | null }[];
  size: number | null;
  architectures: string[];
  source: string;
  deprecated: boolean;
  deprecationNote?: string;
  teamId: string | null;
}

export interface CompositionSummary {
  id: string;
  name: string;
  description: string;
  latestVersion: number;
  updatedAt: string;
  visibility: string;
  teamId?: string;
}

export interface CompositionVersionInfo {
  version: number;
  createdAt: string;
  author: { id: string; name: string } | null;
  message: string;
}

export interface CompositionDetail extends CompositionSummary {
  spec: string;
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
  bootCheck: { ok: boolean } | null;
  cached: boolean;
}

export interface BuildArtifact {
  id: string;
  name: string;
  format: string;
  size: number;
  sha256: string;
  downloadUrl: string;
  bootCheck?: { ok: boolean } | null;
}

export interface BuildDetail extends BuildSummary {
  specText: string;
  resolvedSpec: string | null;
  error: string | null;
  cachedFromId: string | null;
  bootCheck:
    | { ok: boolean; containers: { phase: string; name: string; status: string; exitCode: number | null }[]; http?: unknown; console?: string }
    | null;
  artifacts: BuildArtifact[];
}

export interface ApiErrorBody {
  error: { code: string; message: string; problems?: SpecProblem[] };
}
