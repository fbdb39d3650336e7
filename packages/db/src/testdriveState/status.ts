// A testdrive's statuses, why one ends, and the moves between them: the one definition the web
// app, the worker and the browser use. No imports, so a page bundle can take it.

export const TESTDRIVE_STATUSES = ['queued', 'running', 'stopped', 'failed'] as const;
export type TestdriveStatus = (typeof TESTDRIVE_STATUSES)[number];

/** Statuses that still hold (or will hold) a VM: they count against the per-user limit. */
export const ACTIVE_TESTDRIVE_STATUSES = ['queued', 'running'] as const satisfies readonly TestdriveStatus[];

/**
 * Why a testdrive ended: the user stopped it, its time was up, no page watched it for a minute,
 * its worker shut down, the guest powered off (or QEMU died), or it could not start.
 */
export const TESTDRIVE_END_REASONS = ['user', 'time-limit', 'no-viewer', 'worker-shutdown', 'guest-exited', 'error'] as const;
export type TestdriveEndReason = (typeof TESTDRIVE_END_REASONS)[number];

/** `queued → stopped` is a stop before any worker started the VM. */
export const TESTDRIVE_TRANSITIONS: Readonly<Record<TestdriveStatus, readonly TestdriveStatus[]>> = {
  queued: ['running', 'stopped', 'failed'],
  running: ['stopped', 'failed'],
  stopped: [],
  failed: [],
};

export function isActiveTestdrive(status: string | null | undefined): boolean {
  return !!status && (ACTIVE_TESTDRIVE_STATUSES as readonly string[]).includes(status);
}

/** The statuses a testdrive may be in to move to `to` (the `where` of a conditional write). */
export function testdriveStatusesBefore(to: TestdriveStatus): TestdriveStatus[] {
  return TESTDRIVE_STATUSES.filter((from) => TESTDRIVE_TRANSITIONS[from].includes(to));
}
