// Session cookies are Secure exactly when the public URL is https: the real better-auth handler
// on a real SQLite database, signing up (first run) and reading the Set-Cookie it answers, under
// NODE_ENV=production too (where better-auth alone would mark them Secure on plain HTTP, and a
// browser on http://<name> would drop them).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations, createPrisma, type PrismaClient } from '@oscompose/db';
import { loadWebConfig } from '../config';
import { createAuth } from './betterAuth';
import { forgetAccountsSeen } from './resolveCaller';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

async function signUpCookies(publicUrl: string): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'oscompose-cookies-'));
  const url = `file:${path.join(dir, 'db.sqlite')}`;
  await applyMigrations(url);
  const prisma: PrismaClient = createPrisma(url);
  cleanups.push(async () => {
    await prisma.$disconnect();
    await rm(dir, { recursive: true, force: true });
  });
  forgetAccountsSeen();
  const config = loadWebConfig({ NODE_ENV: 'production', AUTH_SECRET: 'z'.repeat(40), OSCOMPOSE_PUBLIC_URL: publicUrl });
  const auth = createAuth(prisma, { secret: config.authSecret, baseURL: config.publicUrl, secureCookies: config.secureCookies, provider: 'sqlite' });
  const res = await auth.handler(
    new Request(`${config.publicUrl}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: config.publicUrl },
      body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse', name: 'Ada' }),
    }),
  );
  expect(res.status, await res.clone().text()).toBe(200);
  return res.headers.getSetCookie();
}

describe('session cookies', () => {
  it('are Secure with an https public URL', async () => {
    const cookies = await signUpCookies('https://os.example.com');
    const session = cookies.find((c) => c.includes('session_token'));
    expect(session).toMatch(/^__Secure-/);
    expect(session).toMatch(/;\s*Secure/i);
  });

  it('are not Secure with an http public URL (a LAN name without TLS)', async () => {
    const cookies = await signUpCookies('http://oscompose.lan:3000');
    const session = cookies.find((c) => c.includes('session_token'));
    expect(session).toBeDefined();
    expect(session).not.toMatch(/^__Secure-/);
    expect(session).not.toMatch(/;\s*Secure/i);
  });
});
