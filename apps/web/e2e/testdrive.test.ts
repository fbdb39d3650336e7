// End-to-end in Chromium against the real web app, a real worker, Redis and QEMU: the starter
// `minimal` composition built, Testdrive pressed on its build page, the shell on the serial
// console (getty INSECURE=true) answers `uname -r` with the kernel version in the xterm.js
// terminal, and Stop leaves no QEMU behind.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { buildStarterCatalog, loadDefaultCompositions } from '@oscompose/catalog';
import { startRedis, type RedisServer } from '@oscompose/queue/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser';
import { startWorker, type Service } from './support/services';
import { ensureBuilt, removeDir, seedDatabase, startWeb, type SeededDb, type WebApp } from './support/webApp';

const SHOTS = path.join(import.meta.dirname, 'screenshots');
const cacheRoot = process.env.OSCOMPOSE_CACHE ?? path.join(homedir(), '.cache', 'oscompose');
const imageStore = process.env.OSCOMPOSE_TEST_IMAGE_STORE ?? path.join(cacheRoot, 'test-image-store');

let db: SeededDb;
let redis: RedisServer;
let worker: Service;
let web: WebApp;
let browser: Browser;
let page: Page;
let buildId: string;

beforeAll(async () => {
  ensureBuilt();
  await buildStarterCatalog({ imageStore, cacheDir: process.env.OSCOMPOSE_DEBIAN_CACHE ?? path.join(cacheRoot, 'debian') });
  const minimal = (await loadDefaultCompositions({ registryHost: 'localhost:5000' })).find((c) => c.name === 'minimal')!;
  db = await seedDatabase([]);
  const dataDir = path.join(db.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  redis = await startRedis();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: `e2etd${process.pid}`,
    OSCOMPOSE_DATA_DIR: dataDir,
    OSCOMPOSE_IMAGE_STORE: imageStore,
    WORKER_BOOT_CHECK: 'false',
    WORKER_TESTDRIVES: '1',
    LOG_LEVEL: 'info',
  };
  worker = startWorker(env);
  web = await startWeb(env);
  const res = await fetch(`${web.url}/api/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spec: minimal.yaml, formats: ['kernel+initrd'], name: 'minimal' }) });
  expect(res.status, await res.clone().text()).toBe(202);
  buildId = ((await res.json()) as { id: string }).id;
  let status = 'queued';
  for (const until = Date.now() + 600_000; Date.now() < until && !/succeeded|failed|canceled/.test(status); await new Promise((r) => setTimeout(r, 2000))) {
    status = ((await (await fetch(`${web.url}/api/v1/builds/${buildId}`)).json()) as { status: string }).status;
  }
  if (status !== 'succeeded') throw new Error(`the minimal build ended ${status}:\n${worker.logs.join('').slice(-3000)}`);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 1_200_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await worker?.stop();
  await redis?.stop();
  await db?.prisma.$disconnect();
  if (db) removeDir(db.dir);
});

function qemusOf(id: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `^qemu-system-x86_64 .*testdrive-${id}/`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Everything the terminal holds (scrollback too), as text. */
const terminalText = () =>
  page.evaluate(() => {
    const term = (window as unknown as { __testdriveTerminal?: { buffer: { active: { length: number; getLine(i: number): { translateToString(trim: boolean): string } | undefined } } } }).__testdriveTerminal;
    if (!term) return '';
    const b = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  });

describe('testdrive in the browser', () => {
  it('Testdrive on the build page boots it; the shell answers uname -r in the terminal; Stop leaves no QEMU', async () => {
    await page.goto(`${web.url}/builds/${buildId}`);
    await page.getByRole('button', { name: 'Testdrive kernel+initrd' }).click();
    await page.waitForURL(/\/testdrive\/[^/]+$/);
    const id = page.url().split('/').pop()!;
    try {
      await expect.poll(terminalText, { timeout: 300_000, interval: 1000 }).toContain('oscompose: boot complete');
    } catch (err) {
      await page.screenshot({ path: path.join(SHOTS, 'testdrive-failed.png') });
      throw new Error(`${(err as Error).message}\nterminal:\n${(await terminalText()).slice(-2000)}\nworker:\n${worker.logs.join('').slice(-3000)}`);
    }
    // The shell may open the serial port a moment after boot: type until it answers.
    await page.getByTestId('terminal').click();
    await expect
      .poll(
        async () => {
          await page.keyboard.type('uname -r\n');
          await page.waitForTimeout(2000);
          return /\n\d+\.\d+\.\d+-\d+-cloud-amd64\s*\n/.test(await terminalText());
        },
        { timeout: 120_000, interval: 500 },
      )
      .toBe(true);
    // What a person sees: the version in the terminal's visible rows.
    expect(await page.locator('.xterm-rows').textContent()).toMatch(/\d+\.\d+\.\d+-\d+-cloud-amd64/);
    await expect.poll(() => page.getByTestId('time-left').textContent()).toMatch(/^1[45]:\d\d left$/);
    expect(qemusOf(id)).toHaveLength(1);
    await page.screenshot({ path: path.join(SHOTS, 'testdrive.png') });

    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.getByTestId('testdrive-ended').textContent(), { timeout: 30_000 }).toContain('The VM is gone: stopped.');
    await expect.poll(() => qemusOf(id), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => page.getByRole('link', { name: 'Download the console transcript' }).count(), { timeout: 20_000 }).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'testdrive-stopped.png') });
  }, 600_000);
});
