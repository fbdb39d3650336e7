// One run of a build job: load the build, claim it, resolve its images, serve it from the build
// cache or run the engine, boot-check, publish the artifacts and mark the build. Status writes go
// through buildState (@oscompose/db), whose writes for a run apply only while that run still owns
// the build, so a canceled build or one another worker took over is never overwritten, and nothing
// is published twice: objects are replaced by key, rows upserted on (buildId, name).

import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactStore } from '@oscompose/storage';
import { artifactKey } from '@oscompose/storage';
import { teamRegistryPolicy } from '@oscompose/engine';
import { buildState, isFinalStatus, LostOwnershipError, teamRegistryEntries } from '@oscompose/db';
import { expectationsFromColumn, normalizeExpectations } from '@oscompose/bootcheck/expectations';
import { buildReport, consoleFileName, CONSOLE_FORMAT, type ArtifactBootReport } from '@oscompose/bootcheck/report';
import { buildCacheKey } from './cacheKey';
import { UserError } from './classify';
import type { BootStep, BuildEngine, EngineArtifact, EngineEvent, RegistryPolicy } from './engine';
import { artifactBytesError } from './limits';
import type { BuildEventSink } from './events';
import type { Db } from './db';
import { writeProvenance, type ProvenanceSigner } from '../publish/provenance';

export interface RunDeps {
  db: Db;
  store: ArtifactStore;
  engine: BuildEngine;
  /** Parent of the private work directories (one per run, removed afterwards). */
  workRoot: string;
  /** The boot step (QEMU); absent when WORKER_BOOT_CHECK is off (every artifact is then `not checked`). */
  bootCheck?: BootStep;
  /**
   * The operator's allowed registries (OSCOMPOSE_ALLOWED_REGISTRIES + OSCOMPOSE_REGISTRY) and the
   * instance's own registry (OSCOMPOSE_REGISTRY).
   */
  registries: { allowed: string[]; own: string };
  /** Total bytes of one build's artifacts (OSCOMPOSE_BUILD_MAX_ARTIFACT_BYTES); over it nothing is published. */
  maxArtifactBytes?: number;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
  /** Signs each build's provenance (NAME.intoto.jsonl, published with the artifacts); absent: none. */
  provenance?: ProvenanceSigner;
}

export interface RunInput {
  buildId: string;
  /** Unique per attempt (worker id + attempt): who owns the build while it runs. */
  runId: string;
  signal: AbortSignal;
  sink: BuildEventSink;
  fresh?: boolean;
  /** Aborts the run's signal (a limit found while the engine works stops it at once). */
  abort?: (reason: unknown) => void;
}

export type RunOutcome = 'succeeded' | 'failed' | 'cached' | 'skipped';

export { LostOwnershipError };

function parseFormats(json: string): string[] {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

export async function runBuild(deps: RunDeps, input: RunInput): Promise<RunOutcome> {
  const { db, store, engine } = deps;
  const { buildId, runId, signal, sink } = input;

  const build = await db.build.findUnique({ where: { id: buildId } });
  if (!build) throw new UserError(`Build ${buildId} no longer exists.`);
  if (isFinalStatus(build.status)) return 'skipped'; // finished or canceled

  // Claim: a re-delivered job (stalled worker) takes the build over; a canceled one is left alone.
  const startedAt = build.startedAt ?? new Date();
  if (!(await buildState.claim(db, buildId, runId, { startedAt }))) return 'skipped';
  sink.emit('status', { status: 'running', workerId: runId, attempt: build.attempts + 1 });

  const formats = parseFormats(build.formats);
  const known = new Set(engine.formats());
  const unknown = formats.filter((f) => !known.has(f));
  if (!formats.length) throw new UserError('The build names no output format; choose at least one (e.g. kernel+initrd).');
  if (unknown.length) throw new UserError(`Unknown or unavailable format(s): ${unknown.join(', ')}. Available here: ${[...known].join(', ')}.`);

  // The engine's own `artifact` events name files in our private work dir: they only count
  // toward the artifact limit; the `artifact` events clients see are sent once one is published.
  const maxArtifactBytes = deps.maxArtifactBytes ?? Number.POSITIVE_INFINITY;
  let outputBytes = 0;
  const onEvent = (e: EngineEvent) => {
    const { type, file, ...data } = e;
    if (type === 'artifact' && file) {
      // Each output is counted as soon as it is written: the next format is not even started
      // once the build is over its artifact limit.
      outputBytes += statSync(file, { throwIfNoEntry: false })?.size ?? 0;
      if (outputBytes > maxArtifactBytes) input.abort?.(artifactBytesError(outputBytes, maxArtifactBytes));
    }
    if (type === 'artifact') return;
    sink.emit(type === 'log' ? 'log' : type === 'stage' ? 'stage' : 'progress', data);
  };

  // 1. Resolve every image reference to a digest; what is built is the resolved spec. Registries
  // are those the operator and this build's team allowed.
  sink.emit('stage', { stage: 'resolve' });
  const registries = await registryPolicyFor(db, build.teamId, deps.registries);
  const resolved = await engine.resolve(build.specText, { signal, onEvent, registries });
  const name = artifactBaseName(build);
  const cacheKey = buildCacheKey({ resolvedSpec: resolved.text, formats, engineVersion: engine.version, arch: build.arch, name });
  await buildState.record(db, buildId, runId, { resolvedSpec: resolved.text, cacheKey });

  // 2. The build cache: a succeeded build of the same team with the same key has our artifacts;
  // its boot verdict is ours only if it was judged by the same expectations.
  const expectations = normalizeExpectations(expectationsFromColumn(build.bootExpectations));
  if (!input.fresh) {
    const hit = await db.build.findFirst({
      where: { cacheKey, status: 'succeeded', teamId: build.teamId, id: { not: buildId }, bootExpectations: build.bootExpectations },
      orderBy: { finishedAt: 'desc' },
      include: { artifacts: true },
    });
    if (hit && hit.artifacts.length && (await allPresent(store, hit.artifacts.map((a) => a.storageKey)))) {
      await db.$transaction(async (tx) => {
        await buildState.finishOwned(tx, buildId, runId, 'succeeded', {
          cachedFromId: hit.cachedFromId ?? hit.id,
          bootCheck: hit.bootCheck,
          bootVerdict: hit.bootVerdict,
        });
        await tx.artifact.deleteMany({ where: { buildId } });
        for (const a of hit.artifacts) {
          await tx.artifact.create({
            data: { buildId, format: a.format, name: a.name, size: a.size, sha256: a.sha256, storageKey: a.storageKey, bootCheck: a.bootCheck },
          });
        }
      });
      for (const a of hit.artifacts) sink.emit('artifact', { name: a.name, format: a.format, size: Number(a.size), sha256: a.sha256, cached: true });
      sink.emit('status', { status: 'succeeded', cached: true, cachedFromId: hit.cachedFromId ?? hit.id });
      return 'cached';
    }
  }

  // 3. Run the engine in a private work directory.
  const workDir = path.join(deps.workRoot, `${buildId}-${runId.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
  const outDir = path.join(workDir, 'out');
  await mkdir(outDir, { recursive: true });
  try {
    const { artifacts, boot, notBootChecked } = await engine.build({
      resolved,
      formats,
      outDir,
      workDir: path.join(workDir, 'scratch'),
      name,
      signal,
      onEvent,
    });
    signal.throwIfAborted();
    const total = artifacts.reduce((n, a) => n + a.size, 0);
    if (total > maxArtifactBytes) throw artifactBytesError(total, maxArtifactBytes);

    // 4. Boot check, one artifact format at a time (TCG is slow; two QEMUs would starve each
    // other on our cores): kernel+initrd direct, ISOs as cdrom, disks and UKIs as disks. Each
    // booted artifact's whole console is published beside it (NAME.console.txt).
    const reports: ArtifactBootReport[] = [];
    const consoles: EngineArtifact[] = [];
    const namesOf = (format: string) => artifacts.filter((x) => x.format === format).map((x) => x.name);
    for (const target of deps.bootCheck ? boot : []) {
      sink.emit('stage', { stage: 'bootcheck', format: target.format });
      const result = await deps.bootCheck!.check(target, { signal, workDir: path.join(workDir, 'boot'), ...(expectations ? { expectations } : {}) });
      signal.throwIfAborted();
      const bootedPath = target.initrd ?? target.iso ?? target.disk ?? target.uki;
      const booted = artifacts.find((a) => a.path === bootedPath)?.name ?? namesOf(target.format)[0] ?? target.format;
      let consoleName: string | null = null;
      if (result.verdict !== 'not checked') {
        consoleName = consoleFileName(booted);
        consoles.push(await writeConsole(path.join(outDir, consoleName), consoleName, result.console));
      }
      reports.push({ format: target.format, artifact: booted, artifacts: namesOf(target.format), verdict: result.verdict, message: result.message, expectations: result.expectations, containers: result.containers, durationMs: result.durationMs, ...(result.timeline ? { timeline: result.timeline } : {}), consoleName });
      sink.emit('bootcheck', {
        format: target.format,
        verdict: result.verdict,
        message: result.message,
        ok: result.verdict !== 'failed',
        containers: result.containers,
        expectations: result.expectations,
        ...(result.verdict === 'failed' ? { error: result.message } : {}),
      });
      if (result.verdict === 'failed') sink.emit('log', { level: 'error', message: `${target.format}: boot check failed; last console lines:\n${result.console.slice(-4000)}` });
    }
    const notBooted = deps.bootCheck ? notBootChecked : [...boot.map((b) => ({ format: b.format, reason: 'the boot check is off on this worker (WORKER_BOOT_CHECK=false)' })), ...notBootChecked];
    for (const n of notBooted) {
      const names = namesOf(n.format);
      if (!names.length) continue;
      sink.emit('log', { level: 'info', message: `${n.format}: not boot-checked (${n.reason})` });
      reports.push({ format: n.format, artifact: names[0]!, artifacts: names, verdict: 'not checked', message: n.reason, expectations: [], containers: [], durationMs: null, consoleName: null });
    }
    const report = buildReport(expectations ?? null, reports);

    // 5. Publish: objects first (atomic, replace by key), then the rows in one transaction. A
    // failed boot still publishes everything (marked "did not boot"), for debugging.
    sink.emit('stage', { stage: 'publish' });
    const published: (EngineArtifact & { key: string })[] = [];
    // Provenance covers the build outputs; the consoles differ from boot to boot.
    const signed = deps.provenance
      ? [...artifacts, await writeProvenance(deps.provenance, { id: buildId, specText: build.specText, resolvedSpec: resolved.text, formats, name, arch: build.arch, engineVersion: engine.version, startedAt }, artifacts, outDir)]
      : artifacts;
    for (const a of [...signed, ...consoles]) {
      const key = artifactKey(buildId, a.name);
      const obj = await store.put(key, a.path, { expectSha256: a.sha256 });
      published.push({ ...a, key, size: obj.size });
    }
    const perArtifact = new Map<string, string>();
    for (const r of reports) for (const n of r.artifacts) perArtifact.set(n, JSON.stringify({ ok: r.verdict !== 'failed', verdict: r.verdict, message: r.message }));
    const ok = report.verdict !== 'failed';
    await db.$transaction(async (tx) => {
      await buildState.finishOwned(tx, buildId, runId, ok ? 'succeeded' : 'failed', {
        bootCheck: JSON.stringify(report),
        bootVerdict: report.verdict,
        cachedFromId: null,
        ...(ok ? {} : { error: `Boot check failed: ${report.message}. The artifacts are published for debugging; each console is NAME.console.txt.` }),
      });
      await tx.artifact.deleteMany({ where: { buildId, name: { notIn: published.map((p) => p.name) } } });
      for (const p of published) {
        const row = {
          format: p.format,
          size: BigInt(p.size),
          sha256: p.sha256,
          storageKey: p.key,
          bootCheck: perArtifact.get(p.name) ?? null,
        };
        await tx.artifact.upsert({ where: { buildId_name: { buildId, name: p.name } }, create: { buildId, name: p.name, ...row }, update: row });
      }
    });
    for (const p of published) sink.emit('artifact', { name: p.name, format: p.format, size: p.size, sha256: p.sha256 });
    if (!ok) {
      sink.emit('status', { status: 'failed', error: `Boot check failed: ${report.message}` });
      return 'failed';
    }
    sink.emit('status', { status: 'succeeded', cached: false });
    return 'succeeded';
  } finally {
    await rm(workDir, { recursive: true, force: true }).catch(() => {});
  }
}

/** The registries (and own-registry namespaces) the build's team may use (docs/security.md). */
async function registryPolicyFor(db: Db, teamId: string, registries: RunDeps['registries']): Promise<RegistryPolicy> {
  return teamRegistryPolicy({ operator: registries.allowed, ownRegistry: registries.own, ...(await teamRegistryEntries(db, teamId)) });
}

function artifactBaseName(build: { id: string; name?: string | null }): string {
  const n = (build.name ?? '').trim();
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(n) ? n : 'linuxkit';
}

async function writeConsole(file: string, name: string, text: string): Promise<EngineArtifact> {
  const bytes = Buffer.from(text, 'utf8');
  await writeFile(file, bytes);
  return { format: CONSOLE_FORMAT, name, path: file, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function allPresent(store: ArtifactStore, keys: string[]): Promise<boolean> {
  for (const k of keys) if (!(await store.stat(k))) return false;
  return true;
}
