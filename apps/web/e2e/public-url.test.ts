// End-to-end: the web app reached by a name that is not a secure context. Chromium treats
// localhost and 127.0.0.0/8 as secure (a Secure cookie would still work there and hide the bug),
// so the name oscompose-lan.test is mapped to the loopback address with --host-resolver-rules,
// and OSCOMPOSE_PUBLIC_URL is that http address. Sign up, reload, still signed in; the Settings
// page says plainly that there is no TLS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import path from 'node:path';
import { freePort } from '@oscompose/queue/testing';
import { ensureBuilt, removeDir, seedDatabase, startWeb, type SeededDb, type WebApp } from './support/webApp';
import { launchBrowser } from './support/browser';

const SHOTS = path.join(import.meta.dirname, 'screenshots');
const NAME = 'oscompose-lan.test';

let db: SeededDb;
let web: WebApp;
let browser: Browser;
let page: Page;
let base = '';

beforeAll(async () => {
  ensureBuilt();
  db = await seedDatabase();
  const port = await freePort();
  base = `http://${NAME}:${port}`;
  web = await startWeb({ DATABASE_URL: db.url, OSCOMPOSE_PUBLIC_URL: base }, { port });
  browser = await launchBrowser([`--host-resolver-rules=MAP ${NAME} 127.0.0.1`]);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (e) => console.error('[browser]', e.message));
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await db?.prisma.$disconnect();
  if (db) removeDir(db.dir);
});

describe('public URL on plain HTTP, not a secure context', () => {
  it('signs up, stays signed in after a reload, and Settings says there is no TLS', async () => {
    await page.goto(`${base}/sign-up`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    await page.getByLabel('Name').fill('Lan User');
    await page.getByLabel('E-mail').fill('lan@example.com');
    await page.getByLabel(/^Password/).fill('plain http is fine here');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${base}/`);

    const cookies = await page.context().cookies(base);
    const session = cookies.find((c) => c.name.includes('session_token'));
    expect(session, JSON.stringify(cookies)).toBeDefined();
    expect(session!.secure).toBe(false);

    await page.goto(`${base}/settings`);
    await page.reload();
    await page.getByText('lan@example.com · owner').waitFor();
    const notice = page.getByTestId('no-tls');
    await notice.waitFor();
    expect(await notice.textContent()).toContain(`plain HTTP (${base})`);
    await page.screenshot({ path: path.join(SHOTS, 'settings-no-tls.png') });
  });
});
