import type { Metadata } from 'next';
import { SignOut } from '../../../src/account/AuthForm';

export const metadata: Metadata = { title: 'Sign out' };

export default function SignOutPage() {
  return <SignOut />;
}
