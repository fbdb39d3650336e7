// Build rows → the API's JSON shapes (docs/api.md: BuildSummary, BuildDetail, artifacts).

import type { Artifact, Build, User } from '@oscompose/db';
import { PROVENANCE_FORMAT } from '@oscompose/engine';
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

export function downloadUrl(buildId: string, name: string): string {
  return `${buildUrl(buildId)}/artifacts/${encodeURIComponent(name)}`;
}

export function presentSummary(b: BuildWithRequester) {
  const boot = json<{ ok?: boolean } | null>(b.bootCheck, null);
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
    bootCheck: boot ? { ok: Boolean(boot.ok) } : null,
    cached: Boolean(b.cachedFromId),
    pinned: b.pinned,
  };
}

export function presentArtifact(a: Artifact) {
  return {
    id: a.id,
    name: a.name,
    format: a.format,
    size: Number(a.size),
    sha256: a.sha256,
    downloadUrl: downloadUrl(a.buildId, a.name),
    bootCheck: json<{ ok?: boolean } | null>(a.bootCheck, null),
  };
}

/**
 * The build's signed provenance (NAME.intoto.jsonl) is shown apart from the artifacts it covers:
 * it is not a build output (it differs between two builds of the same bytes) and is never booted.
 */
export function presentDetail(b: BuildWithRequester & { artifacts: Artifact[] }, extra: { signature?: Signature | null } = {}) {
  const bundle = b.artifacts.find((a) => a.format === PROVENANCE_FORMAT);
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
    bootCheck: json<Record<string, unknown> | null>(b.bootCheck, null),
    artifacts: b.artifacts
      .filter((a) => a.format !== PROVENANCE_FORMAT)
      .sort((x, y) => x.name.localeCompare(y.name))
      .map(presentArtifact),
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
  };
}
