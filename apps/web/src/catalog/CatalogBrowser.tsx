// /catalog: every catalog entry the team may use, grouped by kind, with search and filters.
'use client';
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import type { CatalogEntry } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';
import { Input } from '../ui/Input';
import { Badge } from '../ui/Badge';
import { cx } from '../ui/classNames';
import { EmptyState, ErrorState, Loading } from '../ui/States';
import { formatBytes } from '../ui/format';
import { KIND_LABEL, KIND_ORDER, groupByKind } from '../composer/CatalogPicker';
import { Button } from '../ui/Button';
import { AddImageDialog } from './AddImageDialog';

const SCOPES = [
  { value: '', label: 'All' },
  { value: 'team', label: 'Team' },
  { value: 'public', label: 'Public' },
  { value: 'remote', label: 'Remote' },
];

export function CatalogBrowser() {
  const [items, setItems] = useState<CatalogEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const [scope, setScope] = useState('');
  const [mayAdd, setMayAdd] = useState(false);
  const [adding, setAdding] = useState(false);

  useEffect(() => {
    fetchJson<{ permissions?: string[] }>('/api/v1/teams')
      .then((me) => setMayAdd(Boolean(me.permissions?.includes('catalog:write'))))
      .catch(() => setMayAdd(false));
  }, []);

  useEffect(() => {
    setItems(null);
    setError(null);
    const params = new URLSearchParams();
    if (scope) params.set('scope', scope);
    fetchJson<{ items: CatalogEntry[] }>(`/api/v1/catalog?${params}`)
      .then((r) => setItems(r.items))
      .catch((e: Error) => setError(e.message));
  }, [scope]);

  const groups = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return groupByKind(
      (items ?? []).filter((i) => (!kind || i.kind === kind) && (!needle || `${i.title} ${i.name} ${i.reference} ${i.description}`.toLowerCase().includes(needle))),
    );
  }, [items, q, kind]);

  return (
    <main className="mx-auto w-full max-w-6xl p-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold">Catalog</h1>
          <p className="text-sm text-muted-foreground">Kernels, init and service images your team has approved. Add them to a composition.</p>
        </div>
        <div className="flex items-center gap-2">
          <Input data-search aria-label="Search the catalog" className="w-72" placeholder="Search  ( / )" value={q} onChange={(e) => setQ(e.target.value)} />
          {mayAdd ? <Button variant="primary" onClick={() => setAdding(true)}>Add image</Button> : null}
        </div>
      </div>
      {adding ? (
        <AddImageDialog
          onClose={() => setAdding(false)}
          onAdded={(entry) => {
            setAdding(false);
            setItems((prev) => [entry, ...(prev ?? []).filter((i) => i.id !== entry.id)]);
          }}
        />
      ) : null}
      <div className="mt-4 flex flex-wrap items-center gap-4 text-sm">
        <div role="group" aria-label="Kind" className="flex flex-wrap gap-1">
          {['', ...KIND_ORDER].map((k) => (
            <button key={k || 'all'} type="button" aria-pressed={kind === k} onClick={() => setKind(k)} className={cx('rounded-full border px-2.5 py-0.5 text-xs', kind === k ? 'border-primary bg-accent text-primary' : 'text-muted-foreground hover:bg-muted')}>
              {k ? KIND_LABEL[k] : 'All kinds'}
            </button>
          ))}
        </div>
        <label className="flex items-center gap-2 text-xs text-muted-foreground">
          Scope
          <select className="h-7 rounded-md border bg-card px-2 text-xs text-foreground" value={scope} onChange={(e) => setScope(e.target.value)}>
            {SCOPES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
          </select>
        </label>
      </div>
      <div className="mt-6 space-y-8">
        {error ? <ErrorState message={error} /> : null}
        {!items && !error ? <Loading label="Loading catalog…" /> : null}
        {items && groups.length === 0 ? (
          <EmptyState title={items.length ? 'Nothing matches' : 'The catalog is empty'}>
            {items.length ? 'Try another search or filter.' : 'Run `npm start` once to seed the starter catalog, or ask an admin to add images.'}
          </EmptyState>
        ) : null}
        {groups.map(([k, entries]) => (
          <section key={k}>
            <h2 className="mb-2 text-sm font-semibold">{KIND_LABEL[k] ?? k} <span className="font-normal text-muted-foreground">{entries.length}</span></h2>
            <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
              {entries.map((e) => (
                <li key={e.id}>
                  <Link href={`/catalog/${e.id}`} className={cx('block h-full rounded-lg border bg-card p-3 hover:border-primary/60 hover:shadow-sm', e.deprecated && 'opacity-60 grayscale')}>
                    <div className="flex items-start justify-between gap-2">
                      <span className="font-medium">{e.title || e.name}</span>
                      <span className="flex gap-1">
                        {e.teamId ? <Badge tone="primary">team</Badge> : <Badge>{e.source}</Badge>}
                        {e.deprecated ? <Badge tone="warning">deprecated</Badge> : null}
                      </span>
                    </div>
                    <p className="mt-1 line-clamp-2 text-sm text-muted-foreground">{e.description || 'No description.'}</p>
                    {e.deprecated ? <p className="mt-1 text-xs text-warning">Deprecated{e.deprecationNote ? `: ${e.deprecationNote}` : ''}</p> : null}
                    <div className="mt-2 flex items-center justify-between gap-2 text-[11px] text-muted-foreground">
                      <span className="truncate font-mono">{e.reference}</span>
                      <span className="shrink-0">{formatBytes(e.size)}</span>
                    </div>
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </main>
  );
}
