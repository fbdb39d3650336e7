// A build's statuses and the moves between them: the one definition every process uses (web
// pages and API, the worker, reconciliation). No imports, so the browser bundle can take it
// (`@oscompose/db/build-status`) without pulling in Prisma.

export const BUILD_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

/** Statuses after which a build never changes again. */
export const FINAL_STATUSES = ['succeeded', 'failed', 'canceled'] as const satisfies readonly BuildStatus[];
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** Statuses a build may still leave: waiting for a worker, or one is working on it. */
export const ACTIVE_STATUSES = ['queued', 'running'] as const satisfies readonly BuildStatus[];

export function isFinalStatus(status: string | null | undefined): status is FinalStatus {
  return !!status && (FINAL_STATUSES as readonly string[]).includes(status);
}

/**
 * Allowed moves. `running → running` is a take-over (a re-delivered job claims a build whose
 * worker died); `running → queued` hands a build back (shutdown, a retry after a transient
 * failure, reconciliation); `queued → failed` is a job that failed before any run claimed it.
 */
export const TRANSITIONS: Readonly<Record<BuildStatus, readonly BuildStatus[]>> = {
  queued: ['queued', 'running', 'failed', 'canceled'],
  running: ['running', 'queued', 'succeeded', 'failed', 'canceled'],
  succeeded: [],
  failed: [],
  canceled: [],
};

export function canTransition(from: string, to: BuildStatus): boolean {
  return (TRANSITIONS[from as BuildStatus] ?? []).includes(to);
}

/** The statuses a build may be in to move to `to` (the `where` of a conditional write). */
export function statusesBefore(to: BuildStatus): BuildStatus[] {
  return BUILD_STATUSES.filter((from) => TRANSITIONS[from].includes(to));
}
