// End-to-end: the web app reached by a name that is not a secure context. Chromium treats
// localhost and 127.0.0.0/8 as secure (a Secure cookie would still work there and hide the bug),
// so names under .test are mapped to the loopback address with --host-resolver-rules.
// - OSCOMPOSE_PUBLIC_URL is that http address: sign up, reload, still signed in, the session
//   cookie is not Secure; Settings says plainly that there is no TLS; the invitation link and the
//   CLI hint name the public URL.
// - No public URL set, reached by another name: the same sign-in works, and the invitation link
//   and CLI hint name the address the browser used, never http://localhost.
// - An https public URL (the server behind a TLS proxy that forwards plain HTTP): the session
//   cookie is Secure and the invitation link is https.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import path from 'node:path';
import { freePort } from '@oscompose/queue/testing';
import { ensureBuilt, removeDir, seedDatabase, startWeb, type SeededDb, type WebApp } from './support/webApp';
import { launchBrowser } from './support/browser';

const SHOTS = path.join(import.meta.dirname, 'screenshots');
const NAME = 'oscompose-lan.test';
const OTHER = 'oscompose-other.test';

const dbs: SeededDb[] = [];
const webs: WebApp[] = [];
let browser: Browser;

async function web(env: Record<string, string>, port?: number): Promise<WebApp> {
  const db = await seedDatabase();
  dbs.push(db);
  const w = await startWeb({ DATABASE_URL: db.url, ...env }, { port });
  webs.push(w);
  return w;
}

async function newPage(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (e) => console.error('[browser]', e.message));
  return page;
}

/** Sign up as the first user through the form; lands on the home page signed in. */
async function signUp(page: Page, base: string, email: string): Promise<void> {
  await page.goto(`${base}/sign-up`);
  expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
  await page.getByLabel('Name').fill('Lan User');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel(/^Password/).fill('plain http is fine here');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${base}/`);
}

/** Settings → Invitations → Create link; the link shown. */
async function invitationLink(page: Page, email: string): Promise<string> {
  const invitations = page.locator('section', { has: page.getByRole('heading', { name: 'Invitations' }) });
  await invitations.getByLabel('E-mail').fill(email);
  await invitations.getByRole('button', { name: 'Create link' }).click();
  return (await page.getByTestId('invitation-link').textContent()) ?? '';
}

beforeAll(async () => {
  ensureBuilt();
  browser = await launchBrowser([`--host-resolver-rules=MAP ${NAME} 127.0.0.1, MAP ${OTHER} 127.0.0.1`]);
}, 900_000);

afterAll(async () => {
  await browser?.close();
  for (const w of webs) await w.stop();
  for (const db of dbs) {
    await db.prisma.$disconnect();
    removeDir(db.dir);
  }
});

describe('public URL on plain HTTP, not a secure context', () => {
  it('signs up, stays signed in after a reload, and Settings says there is no TLS and hands out the public URL', async () => {
    const port = await freePort();
    const base = `http://${NAME}:${port}`;
    await web({ OSCOMPOSE_PUBLIC_URL: base }, port);
    const page = await newPage();
    await signUp(page, base, 'lan@example.com');

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
    expect(await invitationLink(page, 'bob@example.com')).toMatch(new RegExp(`^${base}/invite/[A-Za-z0-9_-]+$`));
    expect(await page.getByTestId('cli-login-hint').textContent()).toBe(`oscompose login --server ${base} --token …`);
    await page.screenshot({ path: path.join(SHOTS, 'settings-no-tls.png') });
  });

  it('without OSCOMPOSE_PUBLIC_URL, reached by another name: signs in, and links name that address, not localhost', async () => {
    const w = await web({});
    const base = `http://${OTHER}:${new URL(w.url).port}`;
    const page = await newPage();
    await signUp(page, base, 'other@example.com');
    await page.goto(`${base}/settings`);
    await page.reload();
    await page.getByText('other@example.com · owner').waitFor();
    const cookies = await page.context().cookies(base);
    expect(cookies.find((c) => c.name.includes('session_token'))?.secure).toBe(false);

    const link = await invitationLink(page, 'carol@example.com');
    expect(link).toMatch(new RegExp(`^${base}/invite/[A-Za-z0-9_-]+$`));
    expect(await page.getByTestId('cli-login-hint').textContent()).toBe(`oscompose login --server ${base} --token …`);
    // The link works for the invited person: it opens the invitation, not an error page.
    const invited = await newPage();
    await invited.goto(link);
    await invited.getByRole('link', { name: 'create an account' }).waitFor();
  });
});

describe('public URL on https (behind a TLS proxy)', () => {
  it('marks the session cookie Secure and hands out https links', async () => {
    const publicUrl = 'https://oscompose-tls.test';
    const w = await web({ OSCOMPOSE_PUBLIC_URL: publicUrl });
    // What the proxy forwards: plain HTTP to the app, the browser's origin in the headers.
    const proxied = { origin: publicUrl, 'x-forwarded-host': 'oscompose-tls.test', 'x-forwarded-proto': 'https' };
    const res = await fetch(`${w.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { ...proxied, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'tls@example.com', password: 'behind a proxy', name: 'Tls User' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const session = res.headers.getSetCookie().find((c) => c.includes('session_token'));
    expect(session).toMatch(/^__Secure-/);
    expect(session).toMatch(/;\s*Secure/i);

    const cookie = session!.split(';')[0]!;
    const inv = await fetch(`${w.url}/api/v1/invitations`, {
      method: 'POST',
      headers: { ...proxied, cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'dave@example.com', role: 'viewer' }),
    });
    expect(inv.status, await inv.clone().text()).toBe(201);
    expect(((await inv.json()) as { url: string }).url).toMatch(/^https:\/\/oscompose-tls\.test\/invite\/[A-Za-z0-9_-]+$/);
  });
});
