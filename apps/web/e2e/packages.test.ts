// End-to-end, in Chromium: the packages of a build and what changed between two builds, from their
// SBOMs. Two builds by a real worker (no boot check: this is about the pages) of the starter
// catalog's `minimal` composition, the second with one more service from a real registry whose
// image carries an SPDX attestation. The build page lists busybox, runc, libc6 … with versions and
// searches them, says "signed by …", and gives an iPXE URL with working copy buttons; the compare
// page shows the added image and its packages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { starterCatalogForTests } from '@oscompose/catalog/testing';
import { makeAttestedIndex, makeImage, pushImage, spdxFixture } from '@oscompose/engine/testing';
import { startRedis, startRegistry, type RedisServer, type TestRegistry } from '@oscompose/queue/testing';
import { ensureBuilt, removeDir, seedDatabase, startWeb, type SeededDb, type WebApp } from './support/webApp';
import { startWorker, type Service } from './support/services';
import { launchBrowser } from './support/browser';

const SHOTS = path.join(import.meta.dirname, 'screenshots');
const ATTESTED_SPDX = spdxFixture('audit', [{ name: 'openssl', version: '3.1.4-r5', supplier: 'Organization: Alpine' }]);

let db: SeededDb;
let redis: RedisServer;
let registry: TestRegistry;
let worker: Service;
let web: WebApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let minimalYaml: string;
let auditRef: string;

beforeAll(async () => {
  ensureBuilt();
  const catalog = await starterCatalogForTests();
  minimalYaml = catalog.composition('minimal');
  registry = await startRegistry();
  const audit = await makeImage({ files: { 'usr/bin/audit': { content: '#!/bin/sh\n', mode: 0o755 } }, config: { Cmd: ['/usr/bin/audit'] } });
  auditRef = `${registry.host}/e2e/audit:1`;
  await pushImage(registry.host, auditRef, makeAttestedIndex(audit, ATTESTED_SPDX));

  db = await seedDatabase([]);
  const dataDir = path.join(db.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  redis = await startRedis();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: `e2e${process.pid}`,
    OSCOMPOSE_DATA_DIR: dataDir,
    OSCOMPOSE_IMAGE_STORE: catalog.imageStore,
    OSCOMPOSE_CACHE: path.join(db.dir, 'cache'),
    OSCOMPOSE_ALLOWED_REGISTRIES: registry.host,
    WORKER_BOOT_CHECK: 'false',
    LOG_LEVEL: 'info',
  };
  worker = startWorker(env);
  web = await startWeb(env);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.url });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('[browser]', e.message));
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await worker?.stop();
  await redis?.stop();
  await registry?.stop();
  await db?.prisma.$disconnect();
  if (db) removeDir(db.dir);
});

async function build(spec: string | { compositionId: string }, name: string): Promise<string> {
  const source = typeof spec === 'string' ? { spec } : spec;
  const res = await fetch(`${web.url}/api/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...source, formats: ['kernel+initrd'], name }) });
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  const until = Date.now() + 480_000;
  for (;;) {
    const b = (await (await fetch(`${web.url}/api/v1/builds/${id}`)).json()) as { status: string; error?: string };
    if (b.status === 'succeeded') return id;
    if (b.status === 'failed' || b.status === 'canceled' || Date.now() > until) throw new Error(`build ${name}: ${b.status} ${b.error ?? ''}\n${worker.logs.join('').slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const cells = (row: import('playwright-core').Locator) => row.locator('td').allTextContents();

describe('packages from the SBOM, in the browser', () => {
  let a = '';
  let b = '';

  it('the build page lists the packages of minimal with versions, searches them, says who signed it, gives an iPXE URL to copy', async () => {
    a = await build(minimalYaml, 'minimal');
    b = await build(`${minimalYaml.trimEnd()}\n  - name: audit\n    image: ${auditRef}\n`, 'audited');

    await page.goto(`${web.url}/builds/${a}`);
    const table = page.getByTestId('packages');
    await table.waitFor();
    for (const [name, image, version] of [
      ['busybox-static', 'init:0.1', /^1:1\.\d+/],
      ['runc', 'runc:0.1', /^\d+\.\d+\.\d+\+ds/],
      ['libc6', 'runc:0.1', /^2\.\d+-/],
    ] as const) {
      const row = table.locator(`tr[data-package="${name}"]`).filter({ hasText: image }).first();
      const [pkg, ver, img, found] = await cells(row);
      expect(pkg).toBe(name);
      expect(ver).toMatch(version);
      expect(img).toBe(image);
      expect(found).toBe('catalog record');
    }
    const heading = (await page.locator('h2', { hasText: 'Packages' }).textContent()) ?? '';
    expect(heading).toMatch(/Packages · \d+ in 6 images/);
    await page.locator('[data-testid="packages"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'build-packages.png'), fullPage: true });

    // Search: only what matches is left (by name, then by image).
    const shown = () => table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.children[0]!.textContent, tr.children[2]!.textContent]));
    await page.getByLabel('Search packages').fill('libc6');
    await expect.poll(shown).toEqual([['libc6', 'runc:0.1']]);
    await page.getByLabel('Search packages').fill('oscompose/init');
    await expect.poll(async () => [...new Set((await shown()).map((r) => r[1]))]).toEqual(['init:0.1']);
    await page.getByLabel('Search packages').fill('no-such-package');
    await page.getByText('No package matches “no-such-package”.').waitFor();
    await page.getByLabel('Search packages').fill('');

    // Signed provenance, verified by the server against its own key.
    const provenance = page.getByTestId('provenance');
    expect(await provenance.textContent()).toMatch(/Signed by this server's current key [0-9a-f]{16}…/);

    // Netboot: make the URL, copy it and the iPXE command (the clipboard holds what the page shows).
    await page.getByRole('button', { name: 'Create iPXE URL' }).click();
    const url = (await page.getByTestId('netboot-url').textContent()) ?? '';
    expect(url).toMatch(new RegExp(`^${web.url.replace(/[.]/g, '\\.')}/boot/[A-Za-z0-9_-]{32}\\.ipxe$`));
    await page.getByRole('button', { name: `Copy URL: ${url}` }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    await page.getByRole('button', { name: `Copy iPXE command: chain --autofree ${url}` }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`chain --autofree ${url}`);
    const script = await fetch(url);
    expect(script.status).toBe(200);
    expect(await script.text()).toMatch(/^#!ipxe\n/);
    await page.getByTestId('netboot').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'build-signed-netboot.png') });
  });

  it('the compare page shows the image the second build adds, with its packages', async () => {
    await page.goto(`${web.url}/builds/compare?a=${a}&b=${b}`);
    const changes = page.getByTestId('package-changes');
    await changes.waitFor();
    const rows = await changes.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-change'), tr.getAttribute('data-kind'), tr.getAttribute('data-name')]));
    expect(rows).toEqual([
      ['added', 'image', auditRef],
      ['added', 'package', 'openssl'],
    ]);
    expect(await cells(changes.locator('tr[data-name="openssl"]'))).toEqual(['added', 'openssl', 'audit:1', '—', '3.1.4-r5']);
    expect(await page.locator('h2', { hasText: 'Packages' }).textContent()).toContain('2 added · 0 removed · 0 changed');
    await page.screenshot({ path: path.join(SHOTS, 'compare-packages.png'), fullPage: true });

    // The same build on both sides: nothing changed.
    await page.goto(`${web.url}/builds/compare?a=${a}&b=${a}`);
    await page.getByText('The same images and packages in both builds.').waitFor();
  });

  it("a build from a composition also offers the composition's latest-build URL, to copy and revoke", async () => {
    const comp = await db.prisma.composition.create({
      data: { teamId: db.teamId, name: 'pxe-host', latestVersion: 1, versions: { create: { version: 1, specText: minimalYaml } } },
    });
    const id = await build({ compositionId: comp.id }, 'pxe');
    await page.goto(`${web.url}/builds/${id}`);
    const latest = page.getByTestId('netboot-latest');
    await latest.getByRole('button', { name: 'Create iPXE URL' }).click();
    const url = (await page.getByTestId('netboot-latest-url').textContent()) ?? '';
    expect(url).toMatch(/\/boot\/[A-Za-z0-9_-]{32}\.ipxe$/);
    expect(await latest.textContent()).toContain('anyone with the URL can boot the latest succeeded build of pxe-host');
    await latest.getByRole('button', { name: `Copy URL: ${url}` }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    // It serves the composition's latest succeeded build: this one.
    expect(await (await fetch(url)).text()).toContain(`# oscompose build ${id}`);
    // The build's own URL is another one, still to be made.
    await page.getByTestId('netboot').getByRole('button', { name: 'Create iPXE URL' }).waitFor();
    await latest.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'build-netboot-latest.png') });
    await latest.getByRole('button', { name: 'Revoke' }).click();
    await latest.getByRole('button', { name: 'Create iPXE URL' }).waitFor();
    expect((await fetch(url)).status).toBe(404);
  });
});
