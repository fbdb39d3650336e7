// Build rows → the API's JSON shapes (docs/api.md: BuildSummary, BuildDetail, artifacts).

import type { Artifact, Build, User } from '@oscompose/db';
import { CONTENTS_FORMAT, PROVENANCE_FORMAT, SBOM_FORMAT } from '@oscompose/engine';
import { expectationsFromColumn } from '@oscompose/bootcheck/expectations';
import { CONSOLE_FORMAT, buildReport, type ArtifactBootReport, type BootCheckReport, type Verdict } from '@oscompose/bootcheck/report';
import type { Signature } from '../provenance/signature';

type BuildWithRequester = Build & { requester: Pick<User, 'id' | 'name'> | null };

function json<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function buildUrl(id: string): string {
  return `/api/v1/builds/${encodeURIComponent(id)}`;
}

/** GET /api/v1/builds/:id/sbom: the build's SPDX document, served as JSON. */
export function sbomUrl(id: string): string {
  return `${buildUrl(id)}/sbom`;
}

/** GET /api/v1/builds/:id/contents: the size breakdown of the build's initramfs, as JSON. */
export function contentsUrl(id: string): string {
  return `${buildUrl(id)}/contents`;
}

export function downloadUrl(buildId: string, name: string): string {
  return `${buildUrl(buildId)}/artifacts/${encodeURIComponent(name)}`;
}


// Reports written before verdicts existed (our init only): { ok, containers, error, formats }.
interface LegacyBoot {
  ok?: boolean;
  error?: string;
  durationMs?: number;
  containers?: ArtifactBootReport['containers'];
  formats?: { format: string; ok: boolean; error?: string }[];
  notBootChecked?: { format: string; reason: string }[];
}

/** The stored report (Build.bootCheck), old rows turned into the current shape; null before any check. */
export function storedReport(b: Pick<Build, 'bootCheck' | 'bootExpectations'>): BootCheckReport | null {
  const raw = json<(Partial<BootCheckReport> & LegacyBoot) | null>(b.bootCheck, null);
  if (!raw || typeof raw !== 'object') return null;
  if (typeof raw.verdict === 'string' && Array.isArray(raw.artifacts)) return raw as BootCheckReport;
  const legacy = (format: string, ok: boolean, error?: string): ArtifactBootReport => ({
    format,
    artifact: format,
    artifacts: [],
    verdict: ok ? 'verified' : 'failed',
    message: error ?? 'boot complete',
    expectations: [],
    containers: raw.containers ?? [],
    durationMs: raw.durationMs ?? null,
    consoleName: null,
  });
  const artifacts = (raw.formats ?? [{ format: 'boot', ok: Boolean(raw.ok), error: raw.error }]).map((f) => legacy(f.format, f.ok, f.error));
  for (const n of raw.notBootChecked ?? []) artifacts.push({ ...legacy(n.format, true), verdict: 'not checked', message: n.reason, containers: [], durationMs: null });
  return buildReport(expectationsFromColumn(b.bootExpectations), artifacts);
}

/**
 * GET /api/v1/builds/:id `bootCheck` (docs/api.md "Boot check"): the report, each artifact's
 * console as a download URL, and `ok`/`containers` as before verdicts (ok = not failed).
 */
export function presentBootCheck(b: Pick<Build, 'id' | 'bootCheck' | 'bootExpectations'>) {
  const r = storedReport(b);
  if (!r) return null;
  const deciding = r.artifacts.find((a) => a.verdict === r.verdict);
  return {
    verdict: r.verdict,
    message: r.message,
    requested: r.requested,
    expectations: r.expectations,
    artifacts: r.artifacts.map(({ consoleName, ...a }) => ({
      ...a,
      didNotBoot: a.verdict === 'failed',
      consoleName,
      console: consoleName ? downloadUrl(b.id, consoleName) : null,
    })),
    ok: r.verdict !== 'failed',
    containers: deciding?.containers ?? [],
  };
}

// Artifact.bootCheck: { ok, verdict, message } (the worker writes it beside the build's report,
// which is read first), or from before verdicts { ok, error? } or { checked: false, reason }.
function legacyArtifactBoot(text: string | null): { verdict: Verdict; message: string } | undefined {
  const v = json<{ ok?: boolean; error?: string; checked?: boolean; reason?: string; verdict?: Verdict; message?: string } | null>(text, null);
  if (!v || typeof v !== 'object') return undefined;
  if (typeof v.verdict === 'string') return { verdict: v.verdict, message: v.message ?? '' };
  if (v.checked === false) return { verdict: 'not checked', message: v.reason ?? 'not booted' };
  if (typeof v.ok !== 'boolean') return undefined;
  return { verdict: v.ok ? 'verified' : 'failed', message: v.error ?? 'boot complete' };
}

/** Per artifact file: the verdict of its format's boot check, or null when it was not booted. */
function artifactVerdicts(r: BootCheckReport | null): Map<string, { verdict: Verdict; message: string }> {
  const m = new Map<string, { verdict: Verdict; message: string }>();
  for (const a of r?.artifacts ?? []) for (const name of a.artifacts) m.set(name, { verdict: a.verdict, message: a.message });
  return m;
}

export function presentSummary(b: BuildWithRequester) {
  const report = storedReport(b);
  return {
    id: b.id,
    name: b.name ?? 'linuxkit',
    status: b.status,
    formats: json<string[]>(b.formats, []),
    createdAt: b.queuedAt.toISOString(),
    startedAt: b.startedAt?.toISOString() ?? null,
    finishedAt: b.finishedAt?.toISOString() ?? null,
    durationMs: b.startedAt && b.finishedAt ? b.finishedAt.getTime() - b.startedAt.getTime() : null,
    requester: b.requester ? { id: b.requester.id, name: b.requester.name } : null,
    bootCheck: report ? { ok: report.verdict !== 'failed', verdict: report.verdict } : null,
    cached: Boolean(b.cachedFromId),
    pinned: b.pinned,
  };
}

export function presentArtifact(a: Artifact, fromReport?: { verdict: Verdict; message: string }) {
  const boot = fromReport ?? legacyArtifactBoot(a.bootCheck);
  return {
    id: a.id,
    name: a.name,
    format: a.format,
    size: Number(a.size),
    sha256: a.sha256,
    downloadUrl: downloadUrl(a.buildId, a.name),
    // The artifact's format was booted: its verdict; failed = published for debugging, "did not boot".
    bootCheck: boot ? { ok: boot.verdict !== 'failed', verdict: boot.verdict, message: boot.message } : null,
    didNotBoot: boot?.verdict === 'failed',
  };
}

/**
 * The build's signed provenance (NAME.intoto.jsonl) is shown apart from the artifacts it covers:
 * it is not a build output (it differs between two builds of the same bytes) and is never booted.
 * So is its SBOM (NAME.spdx.json): a description of the image, not an image format; and its size
 * breakdown (NAME.contents.json).
 */
export function presentDetail(b: BuildWithRequester & { artifacts: Artifact[] }, extra: { signature?: Signature | null } = {}) {
  const bundle = b.artifacts.find((a) => a.format === PROVENANCE_FORMAT);
  const sbom = b.artifacts.find((a) => a.format === SBOM_FORMAT);
  const contents = b.artifacts.find((a) => a.format === CONTENTS_FORMAT);
  const verdicts = artifactVerdicts(storedReport(b));
  return {
    ...presentSummary(b),
    specText: b.specText,
    resolvedSpec: b.resolvedSpec,
    cacheKey: b.cacheKey,
    error: b.error,
    cachedFromId: b.cachedFromId,
    attempts: b.attempts,
    workerId: b.workerId,
    compositionVersionId: b.compositionVersionId,
    bootCheck: presentBootCheck(b),
    // The boot consoles are linked from bootCheck.artifacts[].console, not build outputs.
    artifacts: b.artifacts
      .filter((a) => a.format !== PROVENANCE_FORMAT && a.format !== CONSOLE_FORMAT && a.format !== SBOM_FORMAT && a.format !== CONTENTS_FORMAT)
      .sort((x, y) => x.name.localeCompare(y.name))
      .map((a) => presentArtifact(a, verdicts.get(a.name))),
    provenance: bundle
      ? {
          name: bundle.name,
          size: Number(bundle.size),
          sha256: bundle.sha256,
          downloadUrl: downloadUrl(b.id, bundle.name),
          keyId: extra.signature?.keyId ?? null,
          key: extra.signature?.key ?? 'unknown',
        }
      : null,
    sbom: sbom ? { name: sbom.name, size: Number(sbom.size), sha256: sbom.sha256, downloadUrl: downloadUrl(b.id, sbom.name), url: sbomUrl(b.id) } : null,
    contents: contents ? { name: contents.name, size: Number(contents.size), sha256: contents.sha256, downloadUrl: downloadUrl(b.id, contents.name), url: contentsUrl(b.id) } : null,
  };
}
