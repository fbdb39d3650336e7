// The sign-in, sign-up and password-change forms: one card, labelled fields, the server's message.
'use client';
import Link from 'next/link';
import { useState, type FormEvent, type ReactNode } from 'react';
import { fetchJson } from '../api-client/fetchJson';
import { Button } from '../ui/Button';
import { Input } from '../ui/Input';
import { authPost, nextPath } from './authApi';

function Shell({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <main className="mx-auto mt-16 w-full max-w-sm px-4">
      <h1 className="mb-4 text-xl font-semibold tracking-tight">{title}</h1>
      <div className="rounded-lg border bg-card p-5">{children}</div>
      {footer ? <p className="mt-3 text-sm text-muted-foreground">{footer}</p> : null}
    </main>
  );
}

function Field({ label, ...rest }: { label: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="mb-3 block text-sm">
      <span className="mb-1 block font-medium">{label}</span>
      <Input {...rest} />
    </label>
  );
}

function useSubmit(action: (form: FormData) => Promise<void>) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action(new FormData(e.currentTarget));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, onSubmit };
}

const ErrorLine = ({ error }: { error: string | null }) =>
  error ? (
    <p role="alert" className="mb-3 rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive">
      {error}
    </p>
  ) : null;

/** After signing in or up through an invitation link, join that team. */
async function acceptPendingInvite(): Promise<void> {
  const invite = new URLSearchParams(window.location.search).get('invite');
  if (invite) await fetchJson(`/api/v1/invitations/${encodeURIComponent(invite)}/accept`, { method: 'POST', body: {} });
}

export function SignInForm() {
  const { error, busy, onSubmit } = useSubmit(async (f) => {
    await authPost('sign-in/email', { email: f.get('email'), password: f.get('password') });
    await acceptPendingInvite();
    window.location.assign(nextPath());
  });
  const query = typeof window === 'undefined' ? '' : window.location.search;
  return (
    <Shell title="Sign in to oscompose" footer={<>No account yet? <Link className="underline" href={`/sign-up${query}`}>Sign up</Link></>}>
      <form onSubmit={onSubmit}>
        <ErrorLine error={error} />
        <Field label="E-mail" name="email" type="email" autoComplete="email" required />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required />
        <Button type="submit" variant="primary" disabled={busy} className="w-full justify-center">
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </Shell>
  );
}

export function SignUpForm({ firstRun }: { firstRun: boolean }) {
  const { error, busy, onSubmit } = useSubmit(async (f) => {
    await authPost('sign-up/email', { name: f.get('name'), email: f.get('email'), password: f.get('password') });
    await acceptPendingInvite();
    window.location.assign(nextPath());
  });
  const query = typeof window === 'undefined' ? '' : window.location.search;
  return (
    <Shell
      title={firstRun ? 'Create the first account' : 'Create an account'}
      footer={<>Already have an account? <Link className="underline" href={`/sign-in${query}`}>Sign in</Link></>}
    >
      {firstRun ? (
        <p className="mb-4 text-sm text-muted-foreground">
          oscompose runs in single-user mode until someone signs up. The first account becomes the owner of the existing team, with its compositions and builds; after that, everyone signs in.
        </p>
      ) : null}
      <form onSubmit={onSubmit}>
        <ErrorLine error={error} />
        <Field label="Name" name="name" autoComplete="name" required />
        <Field label="E-mail" name="email" type="email" autoComplete="email" required />
        <Field label="Password (8 characters or more)" name="password" type="password" autoComplete="new-password" minLength={8} required />
        <Button type="submit" variant="primary" disabled={busy} className="w-full justify-center">
          {busy ? 'Creating…' : 'Create account'}
        </Button>
      </form>
    </Shell>
  );
}

export function ChangePasswordForm() {
  const [done, setDone] = useState(false);
  const { error, busy, onSubmit } = useSubmit(async (f) => {
    if (f.get('newPassword') !== f.get('repeat')) throw new Error('The new passwords differ; type the same one twice.');
    await authPost('change-password', { currentPassword: f.get('currentPassword'), newPassword: f.get('newPassword'), revokeOtherSessions: true });
    setDone(true);
  });
  return (
    <Shell title="Change password" footer={<Link className="underline" href="/settings">Back to settings</Link>}>
      {done ? <p className="mb-3 text-sm">Password changed. Your other sessions were signed out.</p> : null}
      <form onSubmit={onSubmit}>
        <ErrorLine error={error} />
        <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required />
        <Field label="New password" name="newPassword" type="password" autoComplete="new-password" minLength={8} required />
        <Field label="New password again" name="repeat" type="password" autoComplete="new-password" minLength={8} required />
        <Button type="submit" variant="primary" disabled={busy} className="w-full justify-center">
          Change password
        </Button>
      </form>
    </Shell>
  );
}

export function SignOut() {
  const [error, setError] = useState<string | null>(null);
  return (
    <Shell title="Sign out">
      <ErrorLine error={error} />
      <Button
        variant="primary"
        className="w-full justify-center"
        onClick={() =>
          authPost('sign-out', {})
            .then(() => window.location.assign('/sign-in'))
            .catch((e: Error) => setError(e.message))
        }
      >
        Sign out of oscompose
      </Button>
    </Shell>
  );
}

export function AcceptInvitation({ id }: { id: string }) {
  const [state, setState] = useState<'idle' | 'busy' | 'joined'>('idle');
  const [error, setError] = useState<string | null>(null);
  const q = `?invite=${encodeURIComponent(id)}&next=${encodeURIComponent('/')}`;
  const accept = async () => {
    setState('busy');
    setError(null);
    try {
      await fetchJson(`/api/v1/invitations/${encodeURIComponent(id)}/accept`, { method: 'POST', body: {} });
      setState('joined');
    } catch (err) {
      setState('idle');
      setError((err as Error).message);
    }
  };
  return (
    <Shell title="Join a team">
      <ErrorLine error={error} />
      {state === 'joined' ? (
        <p className="text-sm">
          You joined the team. <Link className="underline" href="/">Go to oscompose</Link>
        </p>
      ) : (
        <>
          <p className="mb-4 text-sm text-muted-foreground">
            Signed in with the e-mail address the invitation was sent to? Accept it. Otherwise <Link className="underline" href={`/sign-in${q}`}>sign in</Link> or{' '}
            <Link className="underline" href={`/sign-up${q}`}>create an account</Link> with that address.
          </p>
          <Button variant="primary" className="w-full justify-center" disabled={state === 'busy'} onClick={accept}>
            Accept invitation
          </Button>
        </>
      )}
    </Shell>
  );
}
