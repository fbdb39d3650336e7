// Output formats a build can ask for: what the live workers advertise in their heartbeats (the
// union: a build goes to any worker), or, with no worker up, what this host's tools could write.
import { getFormat, listFormats as engineFormats, missingTools, type MissingTool, type OutputFormat } from '@oscompose/engine';
import { listWorkers, type WorkerHeartbeat } from '@oscompose/queue';
import { installation } from '../installation';
import { redis } from '../redis';

export interface FormatDto {
  name: string;
  available: boolean;
  missing: { tool: string; debianPackage: string }[];
  /** Why it is not available, in words (missing tools, or no live worker builds it). */
  reason?: string;
}

/**
 * Pure: one entry per engine format. With live workers that advertise formats, a format is
 * available when one of them builds it; otherwise the local tool check decides.
 */
export function formatsReport(all: OutputFormat[], workers: WorkerHeartbeat[], localMissing: MissingTool[]): FormatDto[] {
  const advertising = workers.filter((w) => w.state !== 'stopping' && Array.isArray(w.formats));
  const offered = new Set(advertising.flatMap((w) => w.formats ?? []));
  return all.map((f) => {
    const missing = localMissing.filter((m) => m.formats.includes(f.name)).map(({ tool, debianPackage }) => ({ tool, debianPackage }));
    const toolsNote = missing.map((m) => `${m.tool} (apt-get install ${m.debianPackage})`).join(', ');
    if (advertising.length) {
      if (offered.has(f.name)) return { name: f.name, available: true, missing: [] };
      return {
        name: f.name,
        available: false,
        missing,
        reason: `no live worker can build ${f.name}${toolsNote ? `; it needs ${toolsNote} on a worker host` : ''}`,
      };
    }
    if (!missing.length) return { name: f.name, available: true, missing };
    return { name: f.name, available: false, missing, reason: `${f.name} needs ${toolsNote}` };
  });
}

export async function listFormats(workers: () => Promise<WorkerHeartbeat[]> = liveWorkers): Promise<FormatDto[]> {
  const all = engineFormats().map((n) => getFormat(n)!);
  return formatsReport(all, await safely(workers), missingTools(all));
}

async function liveWorkers(): Promise<WorkerHeartbeat[]> {
  return listWorkers(redis(), { prefix: (await installation()).redisPrefix });
}

/** Redis down or slow: answer from the local tool check rather than fail the composer. */
async function safely(workers: () => Promise<WorkerHeartbeat[]>, timeoutMs = 2_000): Promise<WorkerHeartbeat[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<WorkerHeartbeat[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  try {
    return await Promise.race([workers(), timeout]);
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}
