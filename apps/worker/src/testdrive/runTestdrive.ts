// One testdrive on this worker: take the row, fetch the artifact, start QEMU, relay the serial
// console through Redis both ways, and end the VM when the user stops it, its time is up, no
// page has watched it for a while, the worker shuts down or the guest exits. Whatever ends it,
// QEMU is stopped before this returns, the end is written to the output stream and the row, and
// the console transcript is kept with the build.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { startVm, type Vm } from '@oscompose/bootcheck';
import { parseJsonColumn, testdriveState, type PrismaClient, type TestdriveEndReason } from '@oscompose/db';
import { getFormat, qemuDiskFormat } from '@oscompose/engine';
import { TESTDRIVE_OUTPUT_MAXLEN, TESTDRIVE_STREAM_TTL_SECONDS, TESTDRIVE_VIEWER_TIMEOUT_MS, testdriveKeys } from '@oscompose/queue';
import { artifactKey, type ArtifactStore } from '@oscompose/storage';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { bootTargets } from '../build/bootTargets';
import { qemuTarget } from '../build/bootStep';

export interface TestdriveDeps {
  db: PrismaClient;
  store: ArtifactStore;
  /** For ordinary commands (XADD, EXISTS); shared. */
  redis: Redis;
  /** A new connection for one testdrive's blocking input read; closed when it ends. */
  blockingConnection: () => Redis;
  redisPrefix: string;
  /** Each testdrive gets a scratch directory under it (removed at the end). */
  workRoot: string;
  /** What one VM may take on this machine, whatever the row asks. */
  maxMemoryMb: number;
  maxCpus: number;
  /** How often the row, the clock and the viewer beat are looked at. */
  checkMs?: number;
  viewerTimeoutMs?: number;
  /** The console kept with the build is cut after this many bytes. */
  transcriptMaxBytes?: number;
  qemuBinary?: string;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

export interface TestdriveOutcome {
  status: 'stopped' | 'failed' | 'skipped';
  endReason?: TestdriveEndReason;
  error?: string;
}

const Ports = z.array(z.number().int().min(1).max(65535));

export async function runTestdrive(deps: TestdriveDeps, id: string, runId: string, signal: AbortSignal): Promise<TestdriveOutcome> {
  const { db } = deps;
  const log = deps.log ?? (() => {});
  if (!(await testdriveState.claim(db, id, runId))) {
    const row = await db.testdrive.findUnique({ where: { id }, select: { status: true } });
    // Running under another run id: this is a re-delivered job whose worker died with its VM.
    if (row?.status === 'running') await testdriveState.fail(db, id, 'The worker running this testdrive stopped unexpectedly; start a new one.');
    return { status: 'skipped' };
  }
  const keys = testdriveKeys(deps.redisPrefix, id);
  const dir = path.join(deps.workRoot, `testdrive-${id}`);
  let vm: Vm | undefined;
  let transcript = '';
  let transcriptCut = false;
  let buildId = '';
  const decoder = new StringDecoder('utf8');
  // Output goes out in order, coalesced while an XADD is on its way (keeps echo latency low
  // without one Redis write per byte under a flood).
  let pending = '';
  let flushing: Promise<void> | undefined;
  const flush = (): Promise<void> =>
    (flushing ??= (async () => {
      while (pending) {
        const chunk = pending;
        pending = '';
        await deps.redis.xadd(keys.output, 'MAXLEN', '~', String(TESTDRIVE_OUTPUT_MAXLEN), '*', 'd', chunk).catch((err) => log('testdrive output lost', { id, err: String(err) }));
      }
      flushing = undefined;
    })());
  const emit = (text: string) => {
    if (!text) return;
    const max = deps.transcriptMaxBytes ?? 8 * 2 ** 20;
    if (transcript.length < max) transcript += text.slice(0, max - transcript.length);
    else transcriptCut = true;
    pending += text;
    void flush();
  };

  let outcome: { to: 'stopped' | 'failed'; endReason: TestdriveEndReason; error?: string };
  const input = deps.blockingConnection();
  try {
    const row = await db.testdrive.findUniqueOrThrow({ where: { id } });
    buildId = row.buildId;
    await mkdir(dir, { recursive: true });
    const target = await prepareTarget(deps, row.buildId, row.format, dir);
    vm = await startVm(target, {
      memoryMb: Math.min(row.memoryMb, deps.maxMemoryMb),
      cpus: Math.min(row.cpus, deps.maxCpus),
      guestPorts: parseJsonColumn(row.ports, Ports, []),
      qemuBinary: deps.qemuBinary,
    });
    vm.onOutput((chunk) => emit(decoder.write(chunk)));
    // The machine: the web app serves a guest port only from the machine whose loopback it is on.
    await testdriveState.recordForwards(db, id, runId, vm.forwards.map((f) => ({ ...f, machine: hostname() })));
    // The page that started it has this long to connect before the VM counts as unwatched.
    const viewerTimeoutMs = deps.viewerTimeoutMs ?? TESTDRIVE_VIEWER_TIMEOUT_MS;
    await deps.redis.set(keys.viewer, String(Date.now()), 'PX', viewerTimeoutMs, 'NX');
    log('testdrive running', { id, format: row.format, forwards: vm.forwards });
    outcome = await relay(deps, vm, { id, runId, keys, input, signal, startedAt: Date.now() });
  } catch (err) {
    outcome = { to: 'failed', endReason: 'error', error: (err as Error).message };
  } finally {
    await vm?.stop();
    input.disconnect();
  }
  emit(decoder.end());
  await flush();
  await deps.redis
    .multi()
    .xadd(keys.output, '*', 'end', outcome.endReason)
    .expire(keys.output, TESTDRIVE_STREAM_TTL_SECONDS)
    .expire(keys.input, TESTDRIVE_STREAM_TTL_SECONDS)
    .del(keys.viewer)
    .exec()
    .catch((err) => log('testdrive end not published', { id, err: String(err) }));
  // A stop by the user already wrote the row; this write then changes nothing.
  await testdriveState.endOwned(db, id, runId, outcome.to, { endReason: outcome.endReason, ...(outcome.error ? { error: outcome.error } : {}) });
  if (buildId && transcript) {
    try {
      const file = path.join(dir, 'console.log');
      await writeFile(file, transcriptCut ? `${transcript}\n[transcript cut at ${transcript.length} bytes]\n` : transcript);
      const key = artifactKey(buildId, `testdrive-${id}.log`);
      await deps.store.put(key, file, { contentType: 'text/plain; charset=utf-8' });
      await testdriveState.recordTranscript(db, id, runId, key);
    } catch (err) {
      log('testdrive transcript not kept', { id, err: String(err) });
    }
  }
  await rm(dir, { recursive: true, force: true });
  log('testdrive ended', { id, ...outcome });
  return { status: outcome.to, endReason: outcome.endReason, ...(outcome.error ? { error: outcome.error } : {}) };
}

/** Copies the build's artifacts of `format` from the store and says how QEMU boots them. */
async function prepareTarget(deps: TestdriveDeps, buildId: string, format: string, dir: string) {
  const rows = await deps.db.artifact.findMany({ where: { buildId, format }, orderBy: { name: 'asc' } });
  if (!rows.length) throw new Error(`The build has no ${format} artifact to boot.`);
  const artifacts = [];
  for (const a of rows) {
    const file = path.join(dir, path.basename(a.name));
    await pipeline(await deps.store.read(a.storageKey), createWriteStream(file));
    artifacts.push({ format, name: a.name, path: file });
  }
  const cmdlineFile = artifacts.find((a) => a.name.endsWith('-cmdline'))?.path;
  const cmdline = cmdlineFile ? (await readFile(cmdlineFile, 'utf8')).trim() : '';
  const { boot, notBootChecked } = bootTargets([format], artifacts, { bootOf: (f) => getFormat(f)?.boot, qemuDiskFormat, cmdline });
  if (!boot[0]) throw new Error(notBootChecked[0]?.reason ?? `${format} cannot be booted.`);
  return qemuTarget(boot[0], dir);
}

type Keys = ReturnType<typeof testdriveKeys>;

/** Relays input to the VM until something ends it; says what did. */
async function relay(
  deps: TestdriveDeps,
  vm: Vm,
  r: { id: string; runId: string; keys: Keys; input: Redis; signal: AbortSignal; startedAt: number },
): Promise<{ to: 'stopped' | 'failed'; endReason: TestdriveEndReason; error?: string }> {
  let ended: { to: 'stopped' | 'failed'; endReason: TestdriveEndReason; error?: string } | undefined;
  let wake: () => void = () => {};
  const woken = () => new Promise<void>((res) => (wake = res));
  const end = (e: NonNullable<typeof ended>) => {
    ended ??= e;
    wake();
  };
  void vm.exited.then(({ code, stderr }) =>
    end(code === 0 || code === null ? { to: 'stopped', endReason: 'guest-exited' } : { to: 'failed', endReason: 'guest-exited', error: `QEMU exited with code ${code}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}` }),
  );
  const onAbort = () => end({ to: 'stopped', endReason: 'worker-shutdown' });
  if (r.signal.aborted) onAbort();
  r.signal.addEventListener('abort', onAbort, { once: true });

  // Keystrokes typed before the VM started are dropped: nothing was there to read them.
  const inputLoop = (async () => {
    let last = `${r.startedAt}-0`;
    while (!ended) {
      let res: Array<[string, Array<[string, string[]]>]> | null;
      try {
        res = (await r.input.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', r.keys.input, last)) as typeof res;
      } catch {
        if (ended) return;
        await new Promise((s) => setTimeout(s, 500));
        continue;
      }
      for (const [entryId, fields] of res?.[0]?.[1] ?? []) {
        last = entryId;
        for (let i = 0; i + 1 < fields.length; i += 2) {
          if (fields[i] === 'd') vm.write(fields[i + 1]!);
          else if (fields[i] === 'c') wake(); // stop/extend: look at the row now
        }
      }
    }
  })();

  const checkMs = deps.checkMs ?? 1000;
  while (!ended) {
    const row = await deps.db.testdrive.findUnique({ where: { id: r.id }, select: { status: true, workerId: true, expiresAt: true, endReason: true } }).catch(() => undefined);
    if (row === null || (row && (row.status !== 'running' || row.workerId !== r.runId))) {
      end({ to: 'stopped', endReason: (row?.endReason as TestdriveEndReason | null) ?? 'user' });
      break;
    }
    if (row?.expiresAt && row.expiresAt.getTime() <= Date.now()) end({ to: 'stopped', endReason: 'time-limit' });
    else if (!(await deps.redis.exists(r.keys.viewer).catch(() => 1))) end({ to: 'stopped', endReason: 'no-viewer' });
    if (ended) break;
    await Promise.race([woken(), new Promise((s) => setTimeout(s, checkMs))]);
  }
  r.signal.removeEventListener('abort', onAbort);
  // Ends the blocked XREAD at once, so QEMU is stopped without waiting for it to time out.
  r.input.disconnect();
  await inputLoop;
  return ended!;
}
