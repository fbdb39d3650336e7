// End-to-end: compose from the starter catalog in Chromium, build with a real worker (engine,
// boot check in QEMU), follow the build page to success, see the verdict and search the console,
// download an artifact, check its sha256.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureBuilt, removeDir, seedDatabase, startWeb, type SeededDb, type WebApp } from './support/webApp';
import { startRedis, type RedisServer } from '@oscompose/queue/testing';
import { REPO_ROOT, seedStarterCatalog, startWorker, type Service } from './support/services';
import { launchBrowser, yamlText } from './support/browser';

const SHOTS = path.join(import.meta.dirname, 'screenshots');

let db: SeededDb;
let redis: RedisServer;
let worker: Service;
let web: WebApp;
let browser: Browser;
let page: Page;
let env: Record<string, string>;

beforeAll(async () => {
  ensureBuilt();
  db = await seedDatabase([]);
  const dataDir = path.join(db.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  redis = await startRedis();
  env = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: `e2e${process.pid}`,
    OSCOMPOSE_DATA_DIR: dataDir,
    OSCOMPOSE_IMAGE_STORE: process.env.OSCOMPOSE_IMAGE_STORE ?? path.join(REPO_ROOT, 'data/images'),
    OSCOMPOSE_DEBIAN_CACHE: process.env.OSCOMPOSE_DEBIAN_CACHE ?? path.join(REPO_ROOT, 'data/debian'),
    LOG_LEVEL: 'info',
  };
  seedStarterCatalog(env);
  worker = startWorker(env);
  web = await startWeb(env);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await worker?.stop();
  await redis?.stop();
  await db?.prisma.$disconnect();
  if (db) removeDir(db.dir);
});

describe('build from the browser', () => {
  it('composes, builds, boots, and serves an artifact whose sha256 matches', async () => {
    await page.goto(`${web.url}/compose`);
    await page.waitForSelector('.monaco-editor');
    const picker = page.getByTestId('catalog-picker');
    await picker.locator('[data-catalog-entry="kernel"]').first().click();
    await picker.locator('[data-catalog-entry="init"]').first().click();
    await picker.locator('[data-catalog-entry="runc"]').first().click();
    await picker.locator('[data-catalog-entry="hello"]').first().click();
    await expect.poll(() => yamlText(page)).toContain('- name: hello');
    await page.getByLabel('Composition name').fill('e2e-hello');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('valid spec');
    await page.locator('[data-outline-item="onboot:0"] button').first().click();
    await page.screenshot({ path: path.join(SHOTS, 'composer-starter.png') });

    // Ctrl/⌘-Enter builds, from anywhere in the composer.
    await page.keyboard.press('Control+Enter');
    await page.waitForURL(/\/builds\/[^/]+$/);
    const buildId = page.url().split('/').pop()!;

    // The page follows the build live; wait for the final status badge.
    const heading = page.locator('h1');
    await expect.poll(async () => (await heading.textContent()) ?? '', { timeout: 600_000, interval: 2000 }).toMatch(/succeeded|failed|canceled/);
    await page.screenshot({ path: path.join(SHOTS, 'build.png'), fullPage: true });
    const text = (await heading.textContent()) ?? '';
    if (!text.includes('succeeded')) {
      throw new Error(`build ${buildId} did not succeed: ${await page.getByRole('alert').allTextContents()}\nworker log:\n${worker.logs.join('').slice(-4000)}`);
    }
    await expect.poll(() => page.getByTestId('build-log').textContent()).toContain('status: succeeded');

    // Opened again (the event stream replays a finished build): the final state only. Every
    // stage done and at its full count, and one status line, the last.
    await page.reload();
    await expect.poll(() => page.getByTestId('build-log').textContent()).toContain('status: succeeded');
    const stages = await page.getByTestId('stages').locator('li').evaluateAll((lis) =>
      lis.map((li) => ({ text: li.textContent ?? '', done: li.querySelector('span')?.className.includes('bg-success') ?? false })),
    );
    expect(stages.length).toBeGreaterThan(2);
    for (const st of stages) {
      expect(st.done, st.text).toBe(true);
      const count = /(\d+)\/(\d+)/.exec(st.text);
      if (count) expect(count[1], st.text).toBe(count[2]);
    }
    const logLines = await page.getByTestId('build-log').locator('div').allTextContents();
    expect(logLines.filter((l) => l.startsWith('status:'))).toEqual(['status: succeeded']);
    expect(logLines.at(-1)).toBe('status: succeeded');
    // The check-a-download hint names this server (no public URL set: the address in use).
    expect(await page.getByTestId('verify-hint').textContent()).toBe(`oscompose verify FILE --server ${web.url}`);
    await page.screenshot({ path: path.join(SHOTS, 'build-finished.png'), fullPage: true });

    // The boot check as the worker judged it in QEMU: our init, so verified with its container
    // table; the whole console kept, searchable on the page and downloadable.
    const boot = page.getByTestId('boot-check');
    expect(await boot.locator('[data-verdict]').first().getAttribute('data-verdict')).toBe('verified');
    expect(await boot.getByTestId('containers').textContent()).toContain('hello');
    await boot.getByText('Console of e2e-hello-initrd.img').click();
    await page.getByLabel('Search the console of e2e-hello-initrd.img.console.txt').fill('oscompose: boot complete');
    await expect.poll(() => page.getByTestId('console-matches').textContent(), { timeout: 20_000 }).toBe('1 matching line');
    const consoleHref = await boot.getByRole('link', { name: 'Download e2e-hello-initrd.img.console.txt' }).getAttribute('href');
    const consoleText = await (await page.request.get(`${web.url}${consoleHref}`)).text();
    expect(consoleText).toContain('oscompose: onboot 000-hello exit 0');
    await page.screenshot({ path: path.join(SHOTS, 'build-console.png'), fullPage: true });

    // Download the first artifact as a user would, and check its sha256 against the page.
    const row = page.getByTestId('artifacts').locator('tbody tr').first();
    const shown = await row.locator('[data-sha256]').getAttribute('data-sha256');
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Download' }).click()]);
    const stream = await download.createReadStream();
    const hash = createHash('sha256');
    for await (const chunk of stream) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(shown);

    // Rebuild: the same resolved spec and formats reuse the artifacts of this build.
    await page.getByRole('button', { name: 'Rebuild', exact: true }).click();
    await page.waitForURL((u) => /\/builds\/[^/]+$/.test(u.pathname) && !u.pathname.endsWith(buildId));
    const rebuiltId = page.url().split('/').pop()!;
    await expect.poll(async () => (await heading.textContent()) ?? '', { timeout: 300_000, interval: 1000 }).toContain('succeeded');
    // The final status arrives over the event stream before the page re-reads the build (which says cached).
    await expect.poll(async () => (await heading.textContent()) ?? '', { timeout: 10_000 }).toContain('cached');

    // Compare the two: the same artifacts, so no size change and an identical resolved spec.
    await page.goto(`${web.url}/builds/compare?a=${buildId}&b=${rebuiltId}`);
    await page.getByTestId('diff').waitFor();
    expect(await page.getByTestId('diff').textContent()).toContain('identical');
    expect(await page.locator('main table').first().textContent()).toContain('±0 B');
    await page.screenshot({ path: path.join(SHOTS, 'compare.png') });

    await page.goto(`${web.url}/builds`);
    await expect.poll(() => page.locator('tbody').textContent()).toContain('e2e-hello');
    await page.screenshot({ path: path.join(SHOTS, 'builds.png') });
  });
});
