// Starts the real web app for end-to-end tests: a fresh SQLite database (migrated and seeded),
// a production build (`next build`, skipped when nothing changed), and `next start` on a free port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations, createPrisma, type PrismaClient } from '@oscompose/db';
import { freePort } from '@oscompose/queue/testing';

export const WEB_DIR = path.resolve(import.meta.dirname, '../..');
/** The e2e build lives apart from `.next`, which `npm start` builds and serves. */
const DIST_DIR = '.next-e2e';
const NEXT_BIN = path.resolve(WEB_DIR, '../../node_modules/next/dist/bin/next');


/** `next build` into .next-e2e unless nothing changed since the last one (checked under a lock). */
export function ensureBuilt(): void {
  const script = path.join(import.meta.dirname, 'buildOnce.mjs');
  const res = spawnSync('flock', ['/tmp/oscompose-web-e2e-build.lock', process.execPath, script, WEB_DIR, DIST_DIR, path.resolve(WEB_DIR, '../../packages/spec/src')], {
    cwd: WEB_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', OSCOMPOSE_SKIP_TYPECHECK: '1', OSCOMPOSE_NEXT_DIST_DIR: DIST_DIR },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`next build failed:\n${res.stdout}\n${res.stderr}`);
}

export interface SeededDb {
  dir: string;
  url: string;
  prisma: PrismaClient;
  teamId: string;
  userId: string;
}

/** A migrated SQLite database with one user in one team (single-user mode) and a few catalog entries. */
export async function seedDatabase(extraCatalog: CatalogSeed[] = STARTER_LIKE_CATALOG): Promise<SeededDb> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oscompose-e2e-'));
  const url = `file:${path.join(dir, 'e2e.db')}`;
  await applyMigrations(url);
  const prisma = createPrisma(url);
  const user = await prisma.user.create({ data: { name: 'Ada Lovelace', email: 'ada@example.test' } });
  const team = await prisma.team.create({ data: { name: 'Platform', slug: 'platform' } });
  await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role: 'owner' } });
  for (const c of extraCatalog) {
    await prisma.catalogEntry.create({
      data: {
        reference: c.reference,
        name: c.name,
        kind: c.kind,
        title: c.title,
        description: c.description,
        source: 'starter',
        pinnedDigest: c.digest ?? null,
        tags: JSON.stringify(c.tags ?? []),
        defaultConfig: JSON.stringify(c.defaultConfig ?? {}),
        size: c.size === undefined ? null : BigInt(c.size),
      },
    });
  }
  return { dir, url, prisma, teamId: team.id, userId: user.id };
}

export interface CatalogSeed {
  reference: string;
  name: string;
  kind: string;
  title: string;
  description: string;
  digest?: string;
  tags?: unknown[];
  defaultConfig?: Record<string, unknown>;
  size?: number;
}

const D = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;
export const STARTER_LIKE_CATALOG: CatalogSeed[] = [
  { reference: 'localhost:5000/oscompose/kernel:6.1', name: 'kernel', kind: 'kernel', title: 'Linux 6.1 (Debian cloud)', description: 'Debian 12 cloud kernel with its modules.', digest: D('a'), tags: ['6.1'], size: 31_000_000 },
  { reference: 'localhost:5000/oscompose/init:1', name: 'init', kind: 'init', title: 'oscompose init', description: 'Our init: mounts, copies root to tmpfs, starts onboot then services.', digest: D('b'), tags: ['1'], size: 900_000 },
  { reference: 'localhost:5000/oscompose/runc:1.1', name: 'runc', kind: 'init', title: 'runc', description: 'OCI runtime used by init to run containers.', tags: ['1.1'] },
  { reference: 'localhost:5000/oscompose/dhcpcd:1', name: 'dhcpcd', kind: 'onboot', title: 'DHCP client', description: 'Gets an address on eth0 once at boot.', tags: ['1'], defaultConfig: { net: 'host', capabilities: ['CAP_NET_ADMIN', 'CAP_NET_RAW'] } },
  { reference: 'localhost:5000/oscompose/sysctl:1', name: 'sysctl', kind: 'onboot', title: 'sysctl', description: 'Applies kernel parameters.', tags: ['1'] },
  { reference: 'localhost:5000/oscompose/getty:1', name: 'getty', kind: 'service', title: 'Console getty', description: 'A shell on the serial console.', tags: ['1'] },
  { reference: 'localhost:5000/oscompose/httpd:1', name: 'httpd', kind: 'service', title: 'busybox httpd', description: 'Serves /www on port 80.', tags: ['1'], defaultConfig: { net: 'host' } },
];

export interface WebApp {
  url: string;
  proc: ChildProcess;
  logs: string[];
  stop(): Promise<void>;
}

/** `next start` against the given database; resolves once the API answers. */
export async function startWeb(env: Record<string, string>, opts: { port?: number } = {}): Promise<WebApp> {
  const port = opts.port ?? (await freePort());
  const logs: string[] = [];
  const proc = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: WEB_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', OSCOMPOSE_NEXT_DIST_DIR: DIST_DIR, AUTH_SECRET: randomBytes(32).toString('hex'), ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
  proc.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode !== null) return;
    // The process group: next start forks a worker that must go too.
    try {
      process.kill(-proc.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await new Promise((r) => proc.once('exit', r));
  };
  for (let i = 0; i < 120; i++) {
    if (proc.exitCode !== null) throw new Error(`next start exited (${proc.exitCode}):\n${logs.join('')}`);
    try {
      const res = await fetch(`${url}/api/v1/formats`);
      if (res.ok) return { url, proc, logs, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error(`The web app did not answer on ${url}:\n${logs.join('')}`);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
