// The whole app for an end-to-end test: a seeded SQLite database, the starter catalog, Redis, a
// real worker, `next start` and Chromium; `build()` submits a spec through the API as the page's
// user and waits for it to succeed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startRedis, type RedisServer } from '@oscompose/queue/testing';
import { ensureBuilt, removeDir, seedDatabase, startWeb, type SeededDb, type WebApp } from './webApp';
import { REPO_ROOT, seedStarterCatalog, startWorker, type Service } from './services';
import { launchBrowser } from './browser';

export interface Stack {
  web: WebApp;
  worker: Service;
  page: Page;
  build(spec: string, name: string, formats?: string[]): Promise<string>;
  /** Light or dark theme, as a user who picked it (the page is reloaded). */
  theme(dark: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(workerEnv: Record<string, string> = {}): Promise<Stack> {
  ensureBuilt();
  const db: SeededDb = await seedDatabase([]);
  const dataDir = path.join(db.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const redis: RedisServer = await startRedis();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: `e2e${process.pid}`,
    OSCOMPOSE_DATA_DIR: dataDir,
    OSCOMPOSE_IMAGE_STORE: process.env.OSCOMPOSE_IMAGE_STORE ?? path.join(REPO_ROOT, 'data/images'),
    OSCOMPOSE_DEBIAN_CACHE: process.env.OSCOMPOSE_DEBIAN_CACHE ?? path.join(REPO_ROOT, 'data/debian'),
    LOG_LEVEL: 'info',
    ...workerEnv,
  };
  seedStarterCatalog(env);
  const worker = startWorker(env);
  const web = await startWeb(env);
  const browser: Browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  return {
    web,
    worker,
    page,
    async build(spec, name, formats = ['kernel+initrd']) {
      const created = await page.request.post(`${web.url}/api/v1/builds`, { data: { spec, formats, name } });
      if (created.status() !== 202) throw new Error(`POST /api/v1/builds answered ${created.status()}: ${await created.text()}`);
      const { id } = (await created.json()) as { id: string };
      const until = Date.now() + 600_000;
      for (;;) {
        const b = (await (await page.request.get(`${web.url}/api/v1/builds/${id}`)).json()) as { status: string; error?: string };
        if (b.status === 'succeeded') return id;
        if (b.status === 'failed' || b.status === 'canceled' || Date.now() > until) throw new Error(`build ${name} ${b.status}: ${b.error ?? ''}\n${worker.logs.join('').slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    async theme(dark) {
      await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
      await page.evaluate((d) => localStorage.setItem('theme', d ? 'dark' : 'light'), dark);
      await page.reload();
    },
    async stop() {
      await browser.close();
      await web.stop();
      await worker.stop();
      await redis.stop();
      await db.prisma.$disconnect();
      removeDir(db.dir);
    },
  };
}
