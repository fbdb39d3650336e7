// /catalog/[id]: one catalog entry — description, tags with digests, size, default config; for
// the team's admins, deprecate (with a note) and re-pin its digest.
'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { stringify } from 'yaml';
import type { CatalogEntry } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';
import { Badge } from '../ui/Badge';
import { Button, buttonClass } from '../ui/Button';
import { Input } from '../ui/Input';
import { Card } from '../ui/Card';
import { CopyButton } from '../ui/CopyButton';
import { ErrorState, Loading } from '../ui/States';
import { formatBytes } from '../ui/format';
import { KIND_LABEL } from '../composer/CatalogPicker';

export function CatalogDetail({ id }: { id: string }) {
  const [entry, setEntry] = useState<CatalogEntry | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mayManage, setMayManage] = useState(false);
  useEffect(() => {
    fetchJson<CatalogEntry>(`/api/v1/catalog/${encodeURIComponent(id)}`).then(setEntry, (e: Error) => setError(e.message));
    fetchJson<{ permissions?: string[] }>('/api/v1/teams').then((me) => setMayManage(Boolean(me.permissions?.includes('catalog:write'))), () => setMayManage(false));
  }, [id]);
  if (error) return <main className="mx-auto max-w-4xl p-6"><ErrorState message={error} /></main>;
  if (!entry) return <main className="mx-auto max-w-4xl p-6"><Loading /></main>;
  const config = Object.keys(entry.defaultConfig).length ? stringify(entry.defaultConfig) : null;
  return (
    <main className="mx-auto w-full max-w-4xl space-y-4 p-6">
      <nav className="text-sm text-muted-foreground"><Link href="/catalog" className="hover:underline">Catalog</Link> / {KIND_LABEL[entry.kind] ?? entry.kind}</nav>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold">{entry.title || entry.name}</h1>
          <div className="mt-1 flex items-center gap-2">
            <code className="font-mono text-sm">{entry.reference}</code>
            <CopyButton value={entry.reference} />
          </div>
          <div className="mt-2 flex gap-1">
            <Badge tone="primary">{entry.kind}</Badge>
            <Badge>{entry.teamId ? 'team' : entry.source}</Badge>
            {entry.architectures.map((a) => <Badge key={a}>{a}</Badge>)}
            {entry.deprecated ? <Badge tone="warning">deprecated</Badge> : null}
          </div>
        </div>
        <div className="flex gap-2">
          {mayManage && !entry.teamId ? <ForkButton id={entry.id} onError={setError} /> : null}
          <Link href={`/compose?add=${encodeURIComponent(entry.id)}`} className={buttonClass('primary')}>Add to composition</Link>
        </div>
      </div>
      {entry.deprecated ? (
        <p role="note" className="rounded-md border border-warning/40 bg-warning/8 px-3 py-2 text-sm">
          Deprecated{entry.deprecationNote ? `: ${entry.deprecationNote}` : ' — prefer another image.'} Compositions that use it show a warning.
        </p>
      ) : null}
      <Card title="Description"><p className="text-sm">{entry.description || 'No description.'}</p></Card>
      {mayManage && entry.teamId ? <ManageEntry entry={entry} onChange={setEntry} /> : null}
      <div className="grid gap-4 md:grid-cols-2">
        <Card title="Tags">
          {entry.tags.length === 0 ? <p className="text-sm text-muted-foreground">No known tags.</p> : (
            <table className="w-full text-left text-xs">
              <thead className="text-muted-foreground"><tr><th className="py-1">Tag</th><th>Digest</th></tr></thead>
              <tbody>
                {entry.tags.map((t) => (
                  <tr key={t.tag} className="border-t">
                    <td className="py-1.5 font-mono">{t.tag}</td>
                    <td className="font-mono">{t.digest ? <span title={t.digest}>{t.digest.slice(0, 19)}…</span> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <Card title="Image">
          <dl className="grid grid-cols-[7rem_1fr] gap-y-1.5 text-sm">
            <dt className="text-muted-foreground">Size</dt><dd>{formatBytes(entry.size)}</dd>
            <dt className="text-muted-foreground">Pinned digest</dt>
            <dd className="flex items-center gap-1 font-mono text-xs">{entry.pinnedDigest ? <>{entry.pinnedDigest.slice(0, 23)}… <CopyButton value={entry.pinnedDigest} /></> : 'resolved at build'}</dd>
            <dt className="text-muted-foreground">Spec name</dt><dd className="font-mono text-xs">{entry.name}</dd>
          </dl>
        </Card>
      </div>
      <Card title="Default config (from the image label)">
        {config ? <pre className="overflow-auto rounded bg-muted p-3 font-mono text-xs">{config}</pre> : <p className="text-sm text-muted-foreground">The image sets no org.mobyproject.config label; the spec decides everything.</p>}
        <p className="mt-2 text-xs text-muted-foreground">What you write in the spec overrides the label; the label overrides the image config.</p>
      </Card>
    </main>
  );
}

/** Admin controls for a team entry: deprecate / un-deprecate with a note, re-pin the digest. */
function ManageEntry({ entry, onChange }: { entry: CatalogEntry; onChange(e: CatalogEntry): void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const patch = async (body: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      onChange(await fetchJson<CatalogEntry>(`/api/v1/catalog/${encodeURIComponent(entry.id)}`, { method: 'PATCH', body }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const onDeprecate = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const note = String(new FormData(e.currentTarget).get('note') ?? '').trim();
    void patch(entry.deprecated ? { deprecated: false } : { deprecated: true, deprecationNote: note });
  };
  const onPin = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void patch({ pinnedDigest: String(new FormData(e.currentTarget).get('digest') ?? '').trim() });
  };
  return (
    <Card title="Manage (admins)">
      <div className="space-y-3 text-sm">
        <form className="flex flex-wrap items-end gap-2" onSubmit={onDeprecate}>
          {entry.deprecated ? null : (
            <label className="flex flex-1 flex-col gap-1">
              Deprecation note
              <Input name="note" placeholder="use … instead" maxLength={500} />
            </label>
          )}
          <Button type="submit" variant={entry.deprecated ? 'secondary' : 'outline'} disabled={busy}>{entry.deprecated ? 'Un-deprecate' : 'Deprecate'}</Button>
        </form>
        <form className="flex flex-wrap items-end gap-2" onSubmit={onPin}>
          <label className="flex flex-1 flex-col gap-1">
            Pinned digest
            <Input name="digest" required defaultValue={entry.pinnedDigest ?? ''} pattern="sha256:[a-f0-9]{64}" className="font-mono text-xs" />
          </label>
          <Button type="submit" disabled={busy}>Re-pin</Button>
        </form>
        {error ? <p role="alert" className="text-destructive">{error}</p> : null}
      </div>
    </Card>
  );
}

/** Copies a public entry into the team catalog, where the team can deprecate or re-pin it. */
function ForkButton({ id, onError }: { id: string; onError(message: string): void }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      disabled={busy}
      title="Copy into your team catalog to pin or deprecate it for your team"
      onClick={async () => {
        setBusy(true);
        try {
          const copy = await fetchJson<CatalogEntry>(`/api/v1/catalog/${encodeURIComponent(id)}/fork`, { method: 'POST', body: {} });
          router.push(`/catalog/${copy.id}`);
        } catch (err) {
          onError((err as Error).message);
          setBusy(false);
        }
      }}
    >
      Fork into team
    </Button>
  );
}
