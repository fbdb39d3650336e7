import type { Metadata } from 'next';
import { ChangePasswordForm } from '../../../../src/account/AuthForm';

export const metadata: Metadata = { title: 'Change password' };

export default function ChangePasswordPage() {
  return <ChangePasswordForm />;
}
