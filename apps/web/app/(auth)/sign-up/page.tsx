// Sign-up. On a fresh install (nobody has a password yet) this is the first-run page: the account
// made here becomes owner of the seeded team (docs/auth.md).
import type { Metadata } from 'next';
import { SignUpForm } from '../../../src/account/AuthForm';
import { db } from '../../../src/server/db';
import { hasAccounts } from '../../../src/server/auth/signup';

export const metadata: Metadata = { title: 'Sign up' };
export const dynamic = 'force-dynamic';

export default async function SignUpPage() {
  const firstRun = !(await hasAccounts(db()).catch(() => true));
  return <SignUpForm firstRun={firstRun} />;
}
