// The test bed every attack runs against: the real builds/specs/catalog/registries route handlers
// behind a real HTTP server, real worker processes (apps/worker main), a real redis-server, a
// migrated SQLite database and a real docker-registry on loopback. Attacks go in through the API
// (or, to play a compromised web tier, straight into the database and the queue) and look for
// what an attacker looks for: the secret's bytes in an artifact, a log line or a response.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { enqueueBuild } from '@oscompose/queue';
import { startRegistry, type TestRegistry } from '@oscompose/queue/testing';
import type { Role } from '../../src/server/auth/permissions';
import { setBuildDeps } from '../../src/server/builds/deps';
import { startApiServer, type ApiServer } from '../../src/server/builds/testing/apiServer';
import { setCallerResolver } from '../../src/server/auth/resolveCaller';
import { startPipeline, startWorker, workerReady, writeTestImages, type Pipeline, type WorkerProcess } from '@oscompose/worker/testing';

export interface Bed {
  p: Pipeline;
  api: ApiServer;
  /** A real docker-registry on 127.0.0.1, allowed by the operator (OSCOMPOSE_ALLOWED_REGISTRIES). */
  registry: TestRegistry;
  /** The redis-server the pipeline itself uses: the service an attacker wants to talk to. */
  redisPort: number;
  refs: Awaited<ReturnType<typeof writeTestImages>>;
  worker: WorkerProcess;
  teamId: string;
  /** The role the next API calls are made with (the route wrapper checks it). */
  as(role: Role): void;
  http<T = any>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  /** POST /api/v1/builds and wait for the build to end; 400s come back as they are. */
  waitFinal(id: string, timeoutMs?: number): Promise<any>;
  /** A build row and a queue job made directly, as a compromised web tier would. */
  enqueueDirectly(specText: string, formats?: string[]): Promise<string>;
  /** Everything of a build an attacker can read: its artifacts' bytes, its event log, the API answer. */
  evidence(id: string): Promise<string>;
  close(): Promise<void>;
}

export interface BedOptions {
  /** Extra operator entries (besides the test registry) for OSCOMPOSE_ALLOWED_REGISTRIES. */
  allow?: string[];
  /** Set up before the worker starts (e.g. a proxy the operator allows). */
  before?: (bed: { p: Pipeline; registry: TestRegistry }) => Promise<string[] | void>;
  workerEnv?: Record<string, string>;
}

export async function startBed(opts: BedOptions = {}): Promise<Bed> {
  const p = await startPipeline();
  const registry = await startRegistry();
  const extra = (await opts.before?.({ p, registry })) ?? [];
  const allowed = [registry.host, ...(opts.allow ?? []), ...extra].join(',');
  Object.assign(p.workerEnv, { OSCOMPOSE_ALLOWED_REGISTRIES: allowed, ...opts.workerEnv });
  // The web side reads the same settings as the worker (its config module, on first use).
  Object.assign(process.env, {
    DATABASE_URL: p.testDb.url,
    OSCOMPOSE_DATA_DIR: p.dataDir,
    OSCOMPOSE_IMAGE_STORE: p.imageStore,
    OSCOMPOSE_CACHE: p.workerEnv.OSCOMPOSE_CACHE,
    OSCOMPOSE_ALLOWED_REGISTRIES: allowed,
  });
  const refs = await writeTestImages(p.imageStore, { blobBytes: 4096 });
  const deps = await p.webDeps();
  setBuildDeps(deps);
  let role: Role = 'member';
  setCallerResolver(async () => ({ userId: p.testDb.userId, teamId: p.testDb.teamId, role, via: 'local' }));
  const api = await startApiServer();
  const worker = startWorker(`attack-${randomBytes(2).toString('hex')}`, p.workerEnv);
  await workerReady(worker);

  const http: Bed['http'] = async (method, url, body, headers = {}) => {
    const raw = Buffer.isBuffer(body);
    const res = await fetch(api.url + url, {
      method,
      headers: { ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : raw ? new Uint8Array(body) : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON (an event stream) */
    }
    return { status: res.status, body: parsed as any };
  };

  const waitFinal: Bed['waitFinal'] = async (id, timeoutMs = 120_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const b = (await http('GET', `/api/v1/builds/${id}`)).body;
      if (['succeeded', 'failed', 'canceled'].includes(b.status)) return b;
      if (Date.now() > until) throw new Error(`build ${id} still ${b.status} after ${timeoutMs} ms:\n${worker.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  };

  return {
    p,
    api,
    registry,
    redisPort: p.redis.port,
    refs,
    worker,
    teamId: p.testDb.teamId,
    as: (r) => (role = r),
    http,
    waitFinal,
    async enqueueDirectly(specText, formats = ['kernel+initrd', 'tar']) {
      const row = await p.testDb.db.build.create({
        data: { teamId: p.testDb.teamId, requesterId: p.testDb.userId, specText, specHash: randomBytes(32).toString('hex'), formats: JSON.stringify(formats), status: 'queued' },
      });
      await enqueueBuild(deps.queue, { buildId: row.id });
      return row.id;
    },
    async evidence(id) {
      const parts: string[] = [JSON.stringify((await http('GET', `/api/v1/builds/${id}`)).body)];
      const events = await p.testDb.db.buildEvent.findMany({ where: { buildId: id }, orderBy: { seq: 'asc' } });
      parts.push(...events.map((e) => e.payload));
      const dir = path.join(p.dataDir, 'artifacts', 'builds', id);
      for (const name of await readdir(dir).catch(() => [] as string[])) parts.push((await readFile(path.join(dir, name))).toString('latin1'));
      parts.push(worker.output());
      return parts.join('\n');
    },
    async close() {
      await worker.kill();
      await api.close();
      setBuildDeps(undefined);
      setCallerResolver(undefined);
      await registry.stop();
      await p.cleanup();
    },
  };
}

/** A secret only the host has: a random marker in a file, like data/auth-secret. */
export async function plantSecret(dir: string, rel = 'data/auth-secret'): Promise<{ file: string; marker: string }> {
  const marker = `SECRET-${randomBytes(16).toString('hex')}`;
  const file = path.join(dir, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, marker, { mode: 0o600 });
  return { file, marker };
}
