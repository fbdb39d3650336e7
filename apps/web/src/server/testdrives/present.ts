// A testdrive as the API shows it. The worker's host ports stay inside: a guest port is reached
// through the web app (docs/testdrive.md), so only the guest port numbers are shown.

import { parseJsonColumn, type Testdrive } from '@oscompose/db';
import { z } from 'zod';

export function presentTestdrive(t: Testdrive & { user?: { id: string; name: string } | null }, now = Date.now()) {
  const ports = parseJsonColumn(t.ports, z.array(z.number()), []);
  return {
    id: t.id,
    buildId: t.buildId,
    artifact: t.format,
    status: t.status,
    ports,
    url: `/testdrive/${t.id}`,
    consoleUrl: `/api/v1/testdrives/${t.id}/console`,
    startedBy: t.user ? { id: t.user.id, name: t.user.name } : null,
    memoryMb: t.memoryMb,
    cpus: t.cpus,
    limitSeconds: t.limitSeconds,
    queuedAt: t.queuedAt.toISOString(),
    startedAt: t.startedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    secondsLeft: t.status === 'running' && t.expiresAt ? Math.max(0, Math.round((t.expiresAt.getTime() - now) / 1000)) : null,
    endedAt: t.endedAt?.toISOString() ?? null,
    endReason: t.endReason,
    error: t.error,
    transcriptUrl: t.transcriptKey ? `/api/v1/testdrives/${t.id}/transcript` : null,
  };
}
export type TestdriveDto = ReturnType<typeof presentTestdrive>;
