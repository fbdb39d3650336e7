// /compositions: the team's saved compositions (and public ones), newest first.
'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import type { CompositionSummary } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';
import { Badge } from '../ui/Badge';
import { Button, buttonClass } from '../ui/Button';
import { Input } from '../ui/Input';
import { EmptyState, ErrorState, Loading } from '../ui/States';
import { formatWhen } from '../ui/format';

export function CompositionList() {
  const router = useRouter();
  const [items, setItems] = useState<CompositionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState('');
  useEffect(() => {
    fetchJson<{ items: CompositionSummary[] }>('/api/v1/compositions').then((r) => setItems(r.items), (e: Error) => setError(e.message));
  }, []);
  // The team default ("New composition" opens it); admins (team:manage) set it from this list.
  const [defaultId, setDefaultId] = useState<string | null>(null);
  const [mayManage, setMayManage] = useState(false);
  const [myTeam, setMyTeam] = useState<string | null>(null);
  useEffect(() => {
    fetchJson<{ composition: { id: string } | null }>('/api/v1/teams/default-composition').then((d) => setDefaultId(d.composition?.id ?? null), () => setDefaultId(null));
    fetchJson<{ permissions?: string[]; current?: { id: string } | null }>('/api/v1/teams').then(
      (me) => (setMayManage(Boolean(me.permissions?.includes('team:manage'))), setMyTeam(me.current?.id ?? null)),
      () => setMayManage(false),
    );
  }, []);
  const makeDefault = async (id: string | null) => {
    try {
      const d = await fetchJson<{ composition: { id: string } | null }>('/api/v1/teams/default-composition', { method: 'PUT', body: { compositionId: id } });
      setDefaultId(d.composition?.id ?? null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const shown = useMemo(() => (items ?? []).filter((c) => `${c.name} ${c.description}`.toLowerCase().includes(q.trim().toLowerCase())), [items, q]);
  const duplicate = async (c: CompositionSummary) => {
    try {
      const r = await fetchJson<{ id: string }>(`/api/v1/compositions/${c.id}/duplicate`, { body: { name: `${c.name} (copy)` } });
      router.push(`/compositions/${r.id}`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  // A public composition (possibly another team's) is forked: a team-private copy that remembers its origin.
  const fork = async (c: CompositionSummary) => {
    try {
      const r = await fetchJson<{ id: string }>(`/api/v1/compositions/${c.id}/fork`, { body: {} });
      router.push(`/compositions/${r.id}`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <main className="mx-auto w-full max-w-5xl p-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold">Compositions</h1>
          <p className="text-sm text-muted-foreground">Saved specs of your team, each save a version you can compare and build.</p>
        </div>
        <div className="flex gap-2">
          <Input data-search aria-label="Search compositions" className="w-60" placeholder="Search  ( / )" value={q} onChange={(e) => setQ(e.target.value)} />
          <Link href="/compose" className={buttonClass('primary')}>New composition</Link>
        </div>
      </div>
      <div className="mt-6">
        {error ? <ErrorState message={error} /> : null}
        {!items && !error ? <Loading /> : null}
        {items && shown.length === 0 ? (
          <EmptyState title={items.length ? 'Nothing matches' : 'No compositions yet'}>
            {items.length ? 'Try another search.' : <>Start one in the <Link className="text-primary underline" href="/compose">composer</Link> and press Save.</>}
          </EmptyState>
        ) : null}
        {shown.length ? (
          <ul className="divide-y rounded-lg border bg-card">
            {shown.map((c) => (
              <li key={c.id} className="flex items-center gap-4 px-4 py-3">
                <div className="min-w-0 flex-1">
                  <Link href={`/compositions/${c.id}`} className="font-medium hover:underline">{c.name}</Link>
                  <p className="truncate text-xs text-muted-foreground">{c.description || `version ${c.latestVersion}`}</p>
                </div>
                <Badge>v{c.latestVersion}</Badge>
                {c.visibility === 'public' ? <Badge tone="primary">public</Badge> : <Badge>team</Badge>}
                {c.id === defaultId ? <Badge tone="success">team default</Badge> : null}
                {mayManage && c.id === defaultId ? <Button size="sm" variant="ghost" onClick={() => void makeDefault(null)}>Unset default</Button> : null}
                {mayManage && c.id !== defaultId && c.teamId === myTeam ? <Button size="sm" variant="ghost" title="New composition opens this one" onClick={() => void makeDefault(c.id)}>Make default</Button> : null}
                <span className="w-28 text-right text-xs text-muted-foreground">{formatWhen(c.updatedAt)}</span>
                {c.visibility === 'public' && c.teamId !== myTeam ? (
                  <Button size="sm" variant="ghost" title="Copy into your team" onClick={() => void fork(c)}>Fork</Button>
                ) : (
                  <Button size="sm" variant="ghost" onClick={() => void duplicate(c)}>Duplicate</Button>
                )}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </main>
  );
}
