// End-to-end: accounts and teams in a real browser against the real web app and database.
// A fresh install runs in single-user mode; the first sign-up becomes owner; an owner makes an
// API token (shown once) and an invitation link; the invited viewer signs up through the link
// and sees the team without its admin sections; signed out, the API answers 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import path from 'node:path';
import { ensureBuilt, removeDir, seedDatabase, startWeb, type SeededDb, type WebApp } from './support/webApp';
import { launchBrowser } from './support/browser';

const SHOTS = path.join(import.meta.dirname, 'screenshots');

let db: SeededDb;
let web: WebApp;
let browser: Browser;
let owner: Page;

beforeAll(async () => {
  ensureBuilt();
  db = await seedDatabase();
  web = await startWeb({ DATABASE_URL: db.url });
  browser = await launchBrowser();
  owner = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  owner.on('pageerror', (e) => console.error('[browser]', e.message));
});

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await db?.prisma.$disconnect();
  if (db) removeDir(db.dir);
});

describe('accounts and teams', () => {
  it('single-user mode until the first sign-up, which becomes owner of the seeded team', async () => {
    await owner.goto(`${web.url}/settings`);
    await owner.getByText('Single-user mode').waitFor();
    await owner.goto(`${web.url}/sign-up`);
    await owner.getByRole('heading', { name: 'Create the first account' }).waitFor();
    await owner.getByLabel('Name').fill('Grace Hopper');
    await owner.getByLabel('E-mail').fill('grace@example.com');
    await owner.getByLabel(/^Password/).fill('compilers are fun');
    await owner.getByRole('button', { name: 'Create account' }).click();
    await owner.waitForURL(`${web.url}/`);
    await owner.goto(`${web.url}/settings`);
    await owner.getByText('grace@example.com · owner').waitFor();
    expect(await owner.getByRole('heading', { name: /Settings · Platform/ }).count()).toBe(1);
  });

  let token = '';
  let inviteLink = '';

  it('creates an API token shown once, and an invitation link', async () => {
    await owner.getByPlaceholder('laptop, CI …').fill('e2e');
    await owner.getByRole('button', { name: 'Create token' }).click();
    token = (await owner.getByTestId('new-token').textContent()) ?? '';
    expect(token).toMatch(/^osc_[A-Za-z0-9_-]{40,}$/);
    // The token works for the API, and the list shows only its prefix.
    const res = await fetch(`${web.url}/api/v1/builds`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    await owner.reload();
    await owner.getByText('e2e', { exact: true }).waitFor();
    expect(await owner.content()).not.toContain(token);

    const invitations = owner.locator('section', { has: owner.getByRole('heading', { name: 'Invitations' }) });
    await invitations.getByLabel('E-mail').fill('bob@example.com');
    await invitations.getByLabel('Role').selectOption('viewer');
    await invitations.getByRole('button', { name: 'Create link' }).click();
    inviteLink = (await owner.getByTestId('invitation-link').textContent()) ?? '';
    expect(inviteLink).toMatch(/\/invite\/[A-Za-z0-9_-]+$/);
    await owner.screenshot({ path: path.join(SHOTS, 'settings.png'), fullPage: true });
  });

  it('Settings → Registries: an admin allows a public registry; loopback is refused with the reason', async () => {
    const registries = owner.locator('section', { has: owner.getByRole('heading', { name: 'Registries', exact: true }) });
    await registries.getByText('docker.io', { exact: true }).waitFor();
    await registries.getByLabel('Registry host').fill('localhost:6379');
    await registries.getByRole('button', { name: 'Allow' }).click();
    await registries.getByRole('alert').filter({ hasText: "on the server's own network" }).waitFor();
    await registries.getByLabel('Registry host').fill('registry.example.com:5000');
    await registries.getByRole('button', { name: 'Allow' }).click();
    await registries.getByRole('list', { name: 'Registries this team added' }).getByText('registry.example.com:5000').waitFor();
    expect(await registries.getByRole('alert').count()).toBe(0);
    await registries.scrollIntoViewIfNeeded();
    await registries.screenshot({ path: path.join(SHOTS, 'settings-registries.png') });
    const listed = await owner.evaluate(async () => (await (await fetch('/api/v1/registries')).json()) as { team: { host: string }[] });
    expect(listed.team.map((t) => t.host)).toEqual(['registry.example.com:5000']);
  });

  it('the invited viewer signs up through the link and sees the team without admin sections', async () => {
    const bob = await (await browser.newContext()).newPage();
    await bob.goto(`${web.url}${new URL(inviteLink).pathname}`);
    await bob.getByRole('link', { name: 'create an account' }).click();
    await bob.getByLabel('Name').fill('Bob');
    await bob.getByLabel('E-mail').fill('bob@example.com');
    await bob.getByLabel(/^Password/).fill('another password');
    await bob.getByRole('button', { name: 'Create account' }).click();
    await bob.waitForURL(`${web.url}/`);
    await bob.goto(`${web.url}/settings`);
    await bob.getByText('bob@example.com · viewer').waitFor();
    expect(await bob.getByRole('heading', { name: 'Invitations' }).count()).toBe(0);
    expect(await bob.getByRole('heading', { name: 'Audit log' }).count()).toBe(0);
    // A viewer may not build.
    const res = await bob.evaluate(async () => (await fetch('/api/v1/builds', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"spec":"kernel: {}","formats":["tar"]}' })).status);
    expect(res).toBe(403);
  });

  it('signed out, the API answers 401 and pages send the browser to sign in', async () => {
    await owner.goto(`${web.url}/sign-out`);
    await owner.getByRole('button', { name: 'Sign out of oscompose' }).click();
    await owner.waitForURL(/\/sign-in/);
    expect(await owner.evaluate(async () => (await fetch('/api/v1/builds')).status)).toBe(401);
    await owner.goto(`${web.url}/builds`);
    await owner.waitForURL(/\/sign-in\?next=%2Fbuilds/);
    // Signing in again lands back on the page.
    await owner.getByLabel('E-mail').fill('grace@example.com');
    await owner.getByLabel('Password').fill('compilers are fun');
    await owner.getByRole('button', { name: 'Sign in' }).click();
    await owner.waitForURL(`${web.url}/builds`);
  });
});
