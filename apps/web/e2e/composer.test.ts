// End-to-end: compose from the catalog in a real browser against the real web app and database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import path from 'node:path';
import { ensureBuilt, removeDir, seedDatabase, startWeb, type SeededDb, type WebApp } from './support/webApp';
import { launchBrowser } from './support/browser';

const SHOTS = path.join(import.meta.dirname, 'screenshots');

let db: SeededDb;
let web: WebApp;
let browser: Browser;
let page: Page;

/** The text Monaco holds (what a user sees in the YAML pane). */
async function yamlText(p: Page): Promise<string> {
  return p.evaluate(() => {
    const m = (window as unknown as { monaco?: { editor: { getModels(): { getValue(): string }[] } } }).monaco;
    return m?.editor.getModels()[0]?.getValue() ?? '';
  });
}

beforeAll(async () => {
  ensureBuilt();
  db = await seedDatabase();
  web = await startWeb({ DATABASE_URL: db.url });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => console.error('[browser]', e.message));
});

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await db?.prisma.$disconnect();
  if (db) removeDir(db.dir);
});

describe('composer', () => {
  it('composes from the catalog and the YAML follows', async () => {
    await page.goto(`${web.url}/compose`);
    await page.waitForSelector('.monaco-editor');
    await page.getByRole('button', { name: /Linux 6\.1/ }).click();
    await page.getByRole('button', { name: /oscompose init/ }).click();
    await page.getByRole('button', { name: /DHCP client/ }).click();
    await page.getByRole('button', { name: /Console getty/ }).click();
    await expect.poll(() => yamlText(page)).toContain('- name: getty');
    const text = await yamlText(page);
    expect(text).toContain('kernel:\n  image: localhost:5000/oscompose/kernel:6.1\n  cmdline: console=ttyS0');
    expect(text).toContain('init:\n  - localhost:5000/oscompose/init:1');
    expect(text).toMatch(/onboot:\n  - name: dhcpcd\n    image: localhost:5000\/oscompose\/dhcpcd:1/);

    // A form edit (environment of the selected service) lands in the YAML at once.
    await page.getByLabel('Environment').fill('TERM=linux');
    await expect.poll(() => yamlText(page)).toContain('env:\n      - TERM=linux');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('valid spec');
    await page.screenshot({ path: path.join(SHOTS, 'composer.png') });
  });
});
