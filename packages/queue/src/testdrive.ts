// Testdrives on the queue and on the wire: the job (one VM per job, never retried: a dead VM is
// not brought back), and the Redis streams that carry the serial console both ways between the
// worker that runs QEMU and any web process, with the viewer heartbeat key. Every name is under
// the installation's prefix, like the other keys.

import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { JobPayloadError } from './jobs';

export const TESTDRIVE_QUEUE = 'testdrives';

export const TestdriveJobData = z
  .object({
    testdriveId: z.string().min(1, 'testdriveId must not be empty'),
    installation: z.string().min(1).optional(),
  })
  .strict();
export type TestdriveJobData = z.infer<typeof TestdriveJobData>;

export function parseTestdriveJob(data: unknown): TestdriveJobData {
  const parsed = TestdriveJobData.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
    throw new JobPayloadError(TESTDRIVE_QUEUE, `Invalid ${TESTDRIVE_QUEUE} job payload (${problems}); expected { testdriveId: string, installation?: string }.`);
  }
  return parsed.data;
}

/** jobId = testdrive id (a double click starts one VM); one attempt: a VM is not re-run. */
export function testdriveJobOptions(testdriveId: string) {
  return { jobId: testdriveId, attempts: 1, removeOnComplete: { age: 24 * 3600, count: 1000 }, removeOnFail: { age: 7 * 24 * 3600 } };
}

export function createTestdriveQueue(connection: ConnectionOptions, opts: { prefix: string }): Queue<TestdriveJobData> {
  return new Queue<TestdriveJobData>(TESTDRIVE_QUEUE, { connection, prefix: opts.prefix });
}

export async function enqueueTestdrive(queue: Queue<TestdriveJobData>, data: TestdriveJobData) {
  const payload = parseTestdriveJob(data);
  return queue.add('testdrive', payload, testdriveJobOptions(payload.testdriveId));
}

/** The console's Redis names for one testdrive. */
export function testdriveKeys(prefix: string, id: string) {
  const base = `${prefix}:testdrive:${id}`;
  return {
    /** Stream of console output: entries { d: text } in order, then one { end: reason }. */
    output: `${base}:out`,
    /** Stream of what viewers send: { d: text } keystrokes, { c: 'stop' | 'extend' } controls. */
    input: `${base}:in`,
    /** Exists while some page watches the console (set with an expiry by every viewer's beat). */
    viewer: `${base}:viewer`,
  };
}

/** Output entries kept per testdrive (about; XADD MAXLEN ~): a late viewer replays this much. */
export const TESTDRIVE_OUTPUT_MAXLEN = 20_000;
/** The VM is stopped when no viewer has beaten for this long. */
export const TESTDRIVE_VIEWER_TIMEOUT_MS = 60_000;
/** The streams outlive the VM this long, so a page sees the end and a late viewer the output. */
export const TESTDRIVE_STREAM_TTL_SECONDS = 3600;

export type TestdriveControl = 'stop' | 'extend';

/** A page is watching: keeps the VM alive for another TESTDRIVE_VIEWER_TIMEOUT_MS. */
export async function beatTestdriveViewer(redis: Redis, prefix: string, id: string, timeoutMs = TESTDRIVE_VIEWER_TIMEOUT_MS): Promise<void> {
  await redis.set(testdriveKeys(prefix, id).viewer, String(Date.now()), 'PX', timeoutMs);
}

/** Keystrokes (or a control) for the guest; the worker that runs the VM reads them in order. */
export async function sendTestdriveInput(redis: Redis, prefix: string, id: string, input: { data: string } | { control: TestdriveControl }): Promise<void> {
  const key = testdriveKeys(prefix, id).input;
  const fields = 'data' in input ? ['d', input.data] : ['c', input.control];
  await redis.multi().xadd(key, 'MAXLEN', '~', '1000', '*', ...fields).expire(key, TESTDRIVE_STREAM_TTL_SECONDS).exec();
}

export type TestdriveOutputEntry = { id: string; data: string } | { id: string; end: string };

/** Parses XREAD/XRANGE entries of the output stream. */
export function parseOutputEntries(entries: Array<[string, string[]]>): TestdriveOutputEntry[] {
  return entries.map(([id, fields]) => {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    return f.end !== undefined ? { id, end: f.end } : { id, data: f.d ?? '' };
  });
}

/**
 * Reads the console output after stream id `after` ('0' = from the start), waiting up to
 * `blockMs` for something new. Use a connection of its own: XREAD BLOCK holds it.
 */
export async function readTestdriveOutput(redis: Redis, prefix: string, id: string, after = '0', blockMs = 5000): Promise<TestdriveOutputEntry[]> {
  const res = (await redis.xread('COUNT', 1000, 'BLOCK', blockMs, 'STREAMS', testdriveKeys(prefix, id).output, after)) as Array<[string, Array<[string, string[]]>]> | null;
  return res ? parseOutputEntries(res[0]![1]) : [];
}
