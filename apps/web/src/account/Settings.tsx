// Settings: the team's members and roles, invitation links, API tokens (shown once), registry
// credentials (the secret is write-only), the registries specs may name, and the audit log. Sections the caller's role cannot use
// are not shown; the server checks every call anyway (permissions.ts).
'use client';
import Link from 'next/link';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { fetchJson } from '../api-client/fetchJson';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { CopyButton } from '../ui/CopyButton';
import { Input } from '../ui/Input';

const ROLES = ['viewer', 'member', 'admin', 'owner'] as const;

interface Me {
  user: { id: string; email: string; name: string } | null;
  via: 'local' | 'session' | 'token';
  current: { id: string; name: string; slug: string; role: string } | null;
  role: string;
  permissions: string[];
  teams: { id: string; name: string; slug: string; role: string }[];
}
interface Member {
  id: string;
  role: string;
  user: { id: string; email: string; name: string };
}
interface Invitation {
  id: string;
  email: string;
  role: string | null;
  expiresAt: string;
}
interface Token {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  userId: string;
}
interface Credential {
  id: string;
  host: string;
  username: string;
  updatedAt: string;
}
interface Registries {
  operator: string[];
  team: { id: string; host: string; createdAt: string }[];
}
interface AuditEvent {
  id: string;
  at: string;
  action: string;
  target: string | null;
  actor: { email: string } | null;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

function useLoad<T>(url: string | null) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    if (!url) return;
    fetchJson<T>(url)
      .then((d) => (setData(d), setError(null)))
      .catch((e: Error) => setError(e.message));
  }, [url]);
  useEffect(reload, [reload]);
  return { data, error, reload };
}

function Problem({ error }: { error: string | null }) {
  return error ? (
    <p role="alert" className="mb-3 text-sm text-destructive">
      {error}
    </p>
  ) : null;
}

function useAction(after: () => void) {
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      after();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return { error, run };
}

function Members({ me }: { me: Me }) {
  const { data, error, reload } = useLoad<Member[]>('/api/v1/members');
  const manage = me.permissions.includes('team:manage');
  const act = useAction(reload);
  return (
    <Card title="Members">
      <Problem error={error ?? act.error} />
      <table className="w-full text-sm">
        <thead className="text-left text-xs text-muted-foreground">
          <tr>
            <th className="py-1">Name</th>
            <th>E-mail</th>
            <th>Role</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(data ?? []).map((m) => (
            <tr key={m.id} className="border-t">
              <td className="py-1.5">{m.user.name}</td>
              <td>{m.user.email}</td>
              <td>
                {manage ? (
                  <select
                    aria-label={`Role of ${m.user.email}`}
                    className="rounded border bg-card px-1 py-0.5"
                    value={m.role}
                    onChange={(e) => act.run(() => fetchJson(`/api/v1/members/${m.id}`, { method: 'PATCH', body: { role: e.target.value } }))}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                ) : (
                  m.role
                )}
              </td>
              <td className="text-right">
                {manage && m.user.id !== me.user?.id ? (
                  <Button size="sm" variant="ghost" onClick={() => confirm(`Remove ${m.user.email} from the team?`) && act.run(() => fetchJson(`/api/v1/members/${m.id}`, { method: 'DELETE' }))}>
                    Remove
                  </Button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

function Invitations() {
  const { data, error, reload } = useLoad<Invitation[]>('/api/v1/invitations');
  const [link, setLink] = useState<string | null>(null);
  const act = useAction(reload);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    void act.run(async () => {
      const made = await fetchJson<{ url: string }>('/api/v1/invitations', { method: 'POST', body: { email: f.get('email'), role: f.get('role') } });
      setLink(made.url);
    });
  };
  return (
    <Card title="Invitations">
      <Problem error={error ?? act.error} />
      <form onSubmit={onSubmit} className="mb-3 flex items-end gap-2">
        <label className="flex-1 text-sm">
          <span className="mb-1 block">E-mail</span>
          <Input name="email" type="email" required />
        </label>
        <select name="role" aria-label="Role" defaultValue="member" className="h-8 rounded border bg-card px-1 text-sm">
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
        <Button type="submit" variant="primary">
          Create link
        </Button>
      </form>
      {link ? (
        <p className="mb-3 flex items-center gap-2 rounded-md bg-muted px-3 py-2 font-mono text-xs">
          <span className="truncate" data-testid="invitation-link">{link}</span>
          <CopyButton value={link} />
        </p>
      ) : null}
      <ul className="text-sm">
        {(data ?? []).map((i) => (
          <li key={i.id} className="flex items-center justify-between border-t py-1.5">
            <span>
              {i.email} · {i.role} · expires {when(i.expiresAt)}
            </span>
            <Button size="sm" variant="ghost" onClick={() => act.run(() => fetchJson(`/api/v1/invitations/${i.id}`, { method: 'DELETE' }))}>
              Cancel
            </Button>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function Tokens({ me, server }: { me: Me; server: string }) {
  const { data, error, reload } = useLoad<Token[]>('/api/v1/tokens');
  const [shown, setShown] = useState<string | null>(null);
  const act = useAction(reload);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const days = String(f.get('days') ?? '90');
    const scopes = f.getAll('scopes').map(String);
    void act.run(async () => {
      const made = await fetchJson<{ token: string }>('/api/v1/tokens', { method: 'POST', body: { name: f.get('name'), scopes, expiresInDays: days === 'never' ? null : Number(days) } });
      setShown(made.token);
    });
  };
  return (
    <Card title="API tokens">
      <Problem error={error ?? act.error} />
      <p className="mb-3 text-xs text-muted-foreground">
        For the CLI and scripts: <code data-testid="cli-login-hint">oscompose login --server {server} --token …</code>. A token can do what your role can, or less when you pick scopes.
      </p>
      <form onSubmit={onSubmit} className="mb-3 space-y-2">
        <div className="flex items-end gap-2">
          <label className="flex-1 text-sm">
            <span className="mb-1 block">Name</span>
            <Input name="name" required placeholder="laptop, CI …" />
          </label>
          <select name="days" aria-label="Expires" defaultValue="90" className="h-8 rounded border bg-card px-1 text-sm">
            <option value="7">7 days</option>
            <option value="30">30 days</option>
            <option value="90">90 days</option>
            <option value="365">1 year</option>
            <option value="never">never</option>
          </select>
          <Button type="submit" variant="primary">
            Create token
          </Button>
        </div>
        <details className="text-xs">
          <summary className="cursor-pointer text-muted-foreground">Limit to scopes (default: everything your role may do)</summary>
          <div className="mt-1 grid grid-cols-3 gap-1">
            {me.permissions.map((p) => (
              <label key={p} className="flex items-center gap-1">
                <input type="checkbox" name="scopes" value={p} /> {p}
              </label>
            ))}
          </div>
        </details>
      </form>
      {shown ? (
        <div className="mb-3 rounded-md border border-primary/40 bg-muted px-3 py-2 text-sm">
          <p className="mb-1 font-medium">Copy the token now: it is not shown again.</p>
          <p className="flex items-center gap-2 font-mono text-xs">
            <span className="truncate" data-testid="new-token">{shown}</span>
            <CopyButton value={shown} />
          </p>
        </div>
      ) : null}
      <table className="w-full text-sm">
        <thead className="text-left text-xs text-muted-foreground">
          <tr>
            <th className="py-1">Name</th>
            <th>Token</th>
            <th>Scopes</th>
            <th>Expires</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(data ?? []).map((t) => (
            <tr key={t.id} className="border-t">
              <td className="py-1.5">{t.name}</td>
              <td className="font-mono text-xs">{t.prefix}…</td>
              <td className="text-xs">{t.scopes.length ? t.scopes.join(', ') : 'all of the role'}</td>
              <td className="text-xs">{t.expiresAt ? when(t.expiresAt) : 'never'}</td>
              <td className="text-xs">{when(t.lastUsedAt)}</td>
              <td className="text-right">
                {t.revokedAt ? (
                  <span className="text-xs text-muted-foreground">revoked</span>
                ) : (
                  <Button size="sm" variant="ghost" onClick={() => act.run(() => fetchJson(`/api/v1/tokens/${t.id}`, { method: 'DELETE' }))}>
                    Revoke
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

function Credentials({ me }: { me: Me }) {
  const { data, error, reload } = useLoad<Credential[]>('/api/v1/credentials');
  const act = useAction(reload);
  const write = me.permissions.includes('credential:write');
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    void act.run(async () => {
      await fetchJson('/api/v1/credentials', { method: 'PUT', body: { host: f.get('host'), username: f.get('username'), secret: f.get('secret') } });
      form.reset();
    });
  };
  return (
    <Card title="Registry credentials">
      <Problem error={error ?? act.error} />
      <p className="mb-3 text-xs text-muted-foreground">For pulling images from private registries. Stored encrypted; the password or token is never shown again and never leaves the server.</p>
      {write ? (
        <form onSubmit={onSubmit} className="mb-3 flex items-end gap-2">
          <label className="text-sm">
            <span className="mb-1 block">Registry host</span>
            <Input name="host" required placeholder="ghcr.io" />
          </label>
          <label className="text-sm">
            <span className="mb-1 block">User name</span>
            <Input name="username" required />
          </label>
          <label className="text-sm">
            <span className="mb-1 block">Password or token</span>
            <Input name="secret" type="password" required autoComplete="off" />
          </label>
          <Button type="submit" variant="primary">
            Save
          </Button>
        </form>
      ) : null}
      <ul className="text-sm">
        {(data ?? []).map((c) => (
          <li key={c.id} className="flex items-center justify-between border-t py-1.5">
            <span>
              <span className="font-mono">{c.host}</span> · {c.username} · updated {when(c.updatedAt)}
            </span>
            {write ? (
              <Button size="sm" variant="ghost" onClick={() => act.run(() => fetchJson(`/api/v1/credentials/${c.id}`, { method: 'DELETE' }))}>
                Delete
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function RegistryList({ me }: { me: Me }) {
  const { data, error, reload } = useLoad<Registries>('/api/v1/registries');
  const act = useAction(reload);
  const write = me.permissions.includes('registry:write');
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const host = new FormData(form).get('host');
    void act.run(async () => {
      await fetchJson('/api/v1/registries', { method: 'POST', body: { host } });
      form.reset();
    });
  };
  return (
    <Card title="Registries">
      <Problem error={error ?? act.error} />
      <p className="mb-3 text-xs text-muted-foreground">
        The registries image references may name in plans, builds and the catalog. Builds reach them on public addresses only; a registry on the server&apos;s own
        network (loopback, a private address) is the operator&apos;s to allow, in <span className="font-mono">OSCOMPOSE_ALLOWED_REGISTRIES</span>.
      </p>
      {write ? (
        <form onSubmit={onSubmit} className="mb-3 flex items-end gap-2">
          <label className="text-sm">
            <span className="mb-1 block">Registry host</span>
            <Input name="host" required placeholder="registry.example.com:5000" />
          </label>
          <Button type="submit" variant="primary">
            Allow
          </Button>
        </form>
      ) : null}
      <ul className="text-sm" aria-label="Registries this team added">
        {(data?.team ?? []).map((r) => (
          <li key={r.id} className="flex items-center justify-between border-t py-1.5">
            <span>
              <span className="font-mono">{r.host}</span> · added {when(r.createdAt)}
            </span>
            {write ? (
              <Button size="sm" variant="ghost" onClick={() => act.run(() => fetchJson(`/api/v1/registries/${r.id}`, { method: 'DELETE' }))}>
                Remove
              </Button>
            ) : null}
          </li>
        ))}
        {data && data.team.length === 0 ? <li className="border-t py-1.5 text-muted-foreground">This team has added none.</li> : null}
      </ul>
      <p className="mt-3 text-xs text-muted-foreground">Allowed for every team by the operator:</p>
      <ul className="mt-1 flex flex-wrap gap-1.5" aria-label="Registries the operator allows">
        {(data?.operator ?? []).map((h) => (
          <li key={h} className="rounded border px-1.5 py-0.5 font-mono text-xs">
            {h}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function Audit() {
  const { data, error } = useLoad<AuditEvent[]>('/api/v1/audit?limit=100');
  return (
    <Card title="Audit log">
      <Problem error={error} />
      <table className="w-full text-sm">
        <tbody>
          {(data ?? []).map((e) => (
            <tr key={e.id} className="border-t">
              <td className="py-1 pr-3 text-xs text-muted-foreground">{when(e.at)}</td>
              <td className="pr-3">{e.actor?.email ?? 'operator'}</td>
              <td className="pr-3 font-mono text-xs">{e.action}</td>
              <td className="truncate text-xs">{e.target}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/**
 * Plain HTTP (no TLS): said plainly, with the fix. Read in an effect, since the server renders
 * without knowing the address the browser used.
 */
function NoTlsNotice() {
  const [origin, setOrigin] = useState<string | null>(null);
  useEffect(() => {
    if (window.location.protocol === 'http:') setOrigin(window.location.origin);
  }, []);
  if (!origin) return null;
  return (
    <p role="note" data-testid="no-tls" className="rounded-md border border-warning px-3 py-2 text-sm">
      <strong>No TLS:</strong> this page was reached over plain HTTP ({origin}), so passwords, session cookies and API tokens cross the
      network unencrypted. Put oscompose behind a TLS reverse proxy and set <code>OSCOMPOSE_PUBLIC_URL</code> to its https address
      (docs/auth.md, &ldquo;Behind TLS&rdquo;).
    </p>
  );
}

/** `publicUrl`: OSCOMPOSE_PUBLIC_URL when set (the CLI hint names it); else the address in the address bar. */
export function Settings({ publicUrl }: { publicUrl?: string }) {
  const { data: me, error } = useLoad<Me>('/api/v1/teams');
  const act = useAction(() => window.location.reload());
  if (error) return <main className="p-6"><Problem error={error} /></main>;
  if (!me) return <main className="p-6 text-sm text-muted-foreground">Loading…</main>;
  const can = (p: string) => me.permissions.includes(p);
  return (
    <main className="mx-auto w-full max-w-4xl space-y-4 p-6">
      <NoTlsNotice />
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Settings · {me.current?.name}</h1>
          <p className="text-sm text-muted-foreground">
            {me.via === 'local' ? (
              <>
                Single-user mode: nobody has signed up yet. <Link className="underline" href="/sign-up">Create the first account</Link> to turn on sign-in and teams.
              </>
            ) : (
              <>
                {me.user?.email} · {me.role}
              </>
            )}
          </p>
        </div>
        {me.via === 'session' ? (
          <div className="flex items-center gap-2">
            {me.teams.length > 1 ? (
              <select
                aria-label="Team"
                className="h-8 rounded border bg-card px-1 text-sm"
                value={me.current?.id}
                onChange={(e) => act.run(() => fetchJson('/api/v1/teams/active', { method: 'PUT', body: { teamId: e.target.value } }))}
              >
                {me.teams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name} ({t.role})
                  </option>
                ))}
              </select>
            ) : null}
            <Link className="text-sm underline" href="/account/password">
              Change password
            </Link>
            <Link className="text-sm underline" href="/sign-out">
              Sign out
            </Link>
          </div>
        ) : null}
      </div>
      <Problem error={act.error} />
      <Members me={me} />
      {can('team:manage') ? <Invitations /> : null}
      {can('token:manage') ? <Tokens me={me} server={publicUrl ?? window.location.origin} /> : null}
      {can('credential:read') ? <Credentials me={me} /> : null}
      {can('registry:read') ? <RegistryList me={me} /> : null}
      {can('audit:read') ? <Audit /> : null}
    </main>
  );
}
