// End-to-end: compose from the catalog in a real browser against the real web app and database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import path from 'node:path';
import { ensureBuilt, removeDir, seedDatabase, startWeb, type SeededDb, type WebApp } from './support/webApp';
import { launchBrowser, yamlText } from './support/browser';

const SHOTS = path.join(import.meta.dirname, 'screenshots');

let db: SeededDb;
let web: WebApp;
let browser: Browser;
let page: Page;

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
    const picker = page.getByTestId('catalog-picker');
    await picker.getByRole('button', { name: /Linux 6\.1/ }).click();
    await picker.getByRole('button', { name: /oscompose init/ }).click();
    // The composer notices containers without runc and offers it.
    await picker.getByRole('button', { name: /DHCP client/ }).click();
    await page.getByRole('button', { name: 'Add runc' }).click();
    await picker.getByRole('button', { name: /Console getty/ }).click();
    await expect.poll(() => yamlText(page)).toContain('- name: getty');
    const text = await yamlText(page);
    expect(text).toContain('kernel:\n  image: localhost:5000/oscompose/kernel:6.1\n  cmdline: console=ttyS0');
    expect(text).toContain('init:\n  - localhost:5000/oscompose/init:1\n  - localhost:5000/oscompose/runc:1.1');
    expect(text).toMatch(/onboot:\n  - name: dhcpcd\n    image: localhost:5000\/oscompose\/dhcpcd:1/);

    // A form edit (environment of the selected service) lands in the YAML at once.
    await page.getByLabel('Environment').fill('TERM=linux');
    await expect.poll(() => yamlText(page)).toContain('env:\n      - TERM=linux');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('valid spec');
    await page.screenshot({ path: path.join(SHOTS, 'composer.png') });
  });

  it('shows a typed error on the right line, jumps to it, and clears it when fixed', async () => {
    const before = await yamlText(page);
    const errorLine = before.split('\n').length; // the empty last line
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('kernal: oops');
    await page.keyboard.press('Escape');
    const problem = page.locator(`[data-problem-line="${errorLine}"]`);
    await expect.poll(() => problem.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await problem.first().textContent()).toMatch(new RegExp(`Line ${errorLine}:1.*kernal`));
    // Monaco shows the same problem as a marker on that line (ours), and the JSON Schema
    // (monaco-yaml, in its worker) flags it too.
    const markerOwners = async () =>
      page.evaluate((line) => {
        const m = (window as unknown as { monaco: { editor: { getModelMarkers(f: object): { owner: string; startLineNumber: number }[] } } }).monaco;
        return m.editor.getModelMarkers({}).filter((x) => x.startLineNumber === line).map((x) => x.owner).sort();
      }, errorLine);
    await expect.poll(markerOwners, { timeout: 20_000 }).toEqual(expect.arrayContaining(['oscompose', 'yaml']));
    await page.screenshot({ path: path.join(SHOTS, 'composer-error.png') });

    // Clicking the problem puts the cursor on its line.
    await page.click('[data-testid="outline"]');
    await problem.first().click();
    const cursorLine = await page.evaluate(() => {
      const m = (window as unknown as { monaco: { editor: { getEditors(): { getPosition(): { lineNumber: number } }[] } } }).monaco;
      return m.editor.getEditors()[0]?.getPosition().lineNumber;
    });
    expect(cursorLine).toBe(errorLine);

    // Fix it: delete the line's text.
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Backspace');
    await expect.poll(() => page.getByTestId('problems').textContent(), { timeout: 20_000 }).toContain('valid spec');
  });

  it('saves a composition, keeps versions, and diffs them', async () => {
    await page.getByLabel('Composition name').fill('e2e getty box');
    await page.keyboard.press('Control+s');
    await page.waitForURL(/\/compositions\/[^/]+$/);
    await page.waitForSelector('.monaco-editor');
    // A second version: change the kernel cmdline through the form.
    await page.locator('[data-outline-item="kernel:"] button').first().click();
    await page.getByLabel('Command line').fill('console=ttyS0 quiet');
    await expect.poll(() => yamlText(page)).toContain('cmdline: console=ttyS0 quiet');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('status').allTextContents()).toContain('Saved version 2');
    await page.getByRole('button', { name: 'History (2)' }).click();
    const diff = page.getByTestId('diff');
    await expect.poll(() => diff.textContent()).toContain('cmdline: console=ttyS0 quiet');
    expect(await diff.textContent()).toContain('+1−1');
    await page.screenshot({ path: path.join(SHOTS, 'history.png') });
    await page.keyboard.press('Escape');
  });

  it('browses the catalog and adds an entry to a new composition', async () => {
    await page.goto(`${web.url}/catalog`);
    await page.keyboard.press('/');
    await page.keyboard.type('httpd');
    await page.getByRole('link', { name: /busybox httpd/ }).click();
    await page.getByRole('heading', { name: 'busybox httpd' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('net: host');
    await page.screenshot({ path: path.join(SHOTS, 'catalog-entry.png') });
    await page.getByRole('link', { name: 'Add to composition' }).click();
    await page.waitForSelector('.monaco-editor');
    await expect.poll(() => yamlText(page)).toContain('image: localhost:5000/oscompose/httpd:1');
    await page.goto(`${web.url}/catalog`);
    await page.locator('main a[href^="/catalog/"]').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'catalog.png') });
  });

  it('imports a pasted linuxkit.yml as is, shows the plan, and works in dark mode', async () => {
    const pasted = `# from a LinuxKit user
kernel:
  image: localhost:5000/oscompose/kernel:6.1
  cmdline: "console=ttyS0 console=tty0"
init:
  - localhost:5000/oscompose/init:1
  - localhost:5000/oscompose/runc:1.1
onboot:
  - name: sysctl
    image: localhost:5000/oscompose/sysctl:1
services:
  - name: getty
    image: localhost:5000/oscompose/getty:1
    env:
     - INSECURE=true
`;
    await page.goto(`${web.url}/compose`);
    await page.waitForSelector('.monaco-editor');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByLabel('YAML to import').fill(pasted);
    await page.getByRole('dialog').getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => yamlText(page)).toBe(pasted);
    await expect.poll(() => page.getByTestId('problems').textContent(), { timeout: 20_000 }).toContain('valid spec');

    await page.getByRole('button', { name: 'Plan' }).click();
    const plan = page.getByRole('dialog', { name: 'Build plan' });
    await expect.poll(() => plan.textContent()).toContain('localhost:5000/oscompose/kernel:6.1');
    expect(await plan.textContent()).toContain('sha256:aaaaaaaaaaaa');
    expect(await plan.textContent()).toContain('onboot sysctl'); // a section, with cached ✓ / will build
    await page.screenshot({ path: path.join(SHOTS, 'plan.png') });
    await plan.getByRole('button', { name: 'Close' }).first().click();

    await page.getByRole('button', { name: /Switch to dark theme/ }).click();
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await expect.poll(() => page.locator('.monaco-editor.vs-dark').count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'composer-dark.png') });
    await page.getByRole('button', { name: /Switch to light theme/ }).click();
  });

  it('adds by dragging from the catalog and reorders onboot by drag, keeping comments', async () => {
    // Continues from the imported spec: onboot holds sysctl.
    await page.getByTestId('catalog-picker').locator('[data-catalog-entry="dhcpcd"]').dragTo(page.getByTestId('outline'));
    await expect.poll(() => yamlText(page)).toMatch(/onboot:\n  - name: sysctl\n    image: \S+\n  - name: dhcpcd\n/);
    await page.locator('[data-outline-item="onboot:1"]').dragTo(page.locator('[data-outline-item="onboot:0"]'));
    await expect.poll(() => yamlText(page)).toMatch(/onboot:\n  - name: dhcpcd\n    image: \S+\n  - name: sysctl\n/);
    expect(await yamlText(page)).toContain('# from a LinuxKit user\n');
  });
});
