// The invitation link an admin copies from Settings → Invitations.
import type { Metadata } from 'next';
import { AcceptInvitation } from '../../../../src/account/AuthForm';

export const metadata: Metadata = { title: 'Join a team' };

export default async function InvitePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <AcceptInvitation id={id} />;
}
