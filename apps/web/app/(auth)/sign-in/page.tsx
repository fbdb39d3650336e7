import type { Metadata } from 'next';
import { SignInForm } from '../../../src/account/AuthForm';

export const metadata: Metadata = { title: 'Sign in' };

export default function SignInPage() {
  return <SignInForm />;
}
