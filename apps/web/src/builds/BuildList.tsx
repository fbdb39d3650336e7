// /builds: build history with status filter, search and pagination.
'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { BuildSummary } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';
import { BUILD_STATUSES } from '@oscompose/db/build-status';
import { Badge, statusTone } from '../ui/Badge';
import { Button } from '../ui/Button';
import { VerdictBadge } from './BootCheckView';
import { Input } from '../ui/Input';
import { cx } from '../ui/classNames';
import { EmptyState, ErrorState, Loading } from '../ui/States';
import { formatDuration, formatWhen } from '../ui/format';

// '' is every status.
const STATUSES = ['', ...BUILD_STATUSES];
const PAGE_SIZE = 20;

export function BuildList() {
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ items: BuildSummary[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [compare, setCompare] = useState<string[]>([]);

  // Search as you type, without a request per keystroke.
  useEffect(() => {
    const t = setTimeout(() => {
      setQuery(q);
      setPage(1);
    }, 250);
    return () => clearTimeout(t);
  }, [q]);

  useEffect(() => {
    const params = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE) });
    if (status) params.set('status', status);
    if (query.trim()) params.set('q', query.trim());
    setError(null);
    const load = () =>
      fetchJson<{ items: BuildSummary[]; total: number }>(`/api/v1/builds?${params}`).then(setData, (e: Error) => setError(e.message));
    void load();
    // Keep running builds fresh while the list is open.
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, [status, query, page]);

  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  const toggleCompare = (id: string) => setCompare((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c.slice(-1), id]));

  return (
    <main className="mx-auto w-full max-w-6xl p-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold">Builds</h1>
          <p className="text-sm text-muted-foreground">Every build of your team. Tick two to compare them.</p>
        </div>
        <div className="flex items-center gap-2">
          {compare.length === 2 ? (
            <Link className="text-sm text-primary underline" href={`/builds/compare?a=${compare[0]}&b=${compare[1]}`}>Compare selected</Link>
          ) : null}
          <Input data-search aria-label="Search builds" className="w-64" placeholder="Search by name  ( / )" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
      </div>
      <div role="group" aria-label="Status" className="mt-4 flex flex-wrap gap-1">
        {STATUSES.map((s) => (
          <button key={s || 'all'} type="button" aria-pressed={status === s} onClick={() => { setStatus(s); setPage(1); }} className={cx('rounded-full border px-2.5 py-0.5 text-xs', status === s ? 'border-primary bg-accent text-primary' : 'text-muted-foreground hover:bg-muted')}>
            {s || 'All'}
          </button>
        ))}
      </div>
      <div className="mt-4">
        {error ? <ErrorState message={error} /> : null}
        {!data && !error ? <Loading label="Loading builds…" /> : null}
        {data && data.items.length === 0 ? (
          <EmptyState title={status || query ? 'No build matches' : 'No builds yet'}>
            {status || query ? 'Clear the filters to see every build.' : <>Compose an OS and press <b>Build</b>.</>}
          </EmptyState>
        ) : null}
        {data && data.items.length ? (
          <div className="overflow-x-auto rounded-lg border bg-card">
            <table className="w-full text-left text-sm">
              <thead className="border-b text-xs text-muted-foreground">
                <tr>
                  <th className="w-8 px-3 py-2"><span className="sr-only">Compare</span></th>
                  <th className="py-2">Status</th><th>Name</th><th>Who</th><th>When</th><th>Duration</th><th>Formats</th><th>Boot check</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((b) => (
                  <tr key={b.id} className="border-b last:border-0 hover:bg-muted/50">
                    <td className="px-3"><input type="checkbox" aria-label={`Compare ${b.name}`} checked={compare.includes(b.id)} onChange={() => toggleCompare(b.id)} /></td>
                    <td className="py-2"><Badge tone={statusTone(b.status)}>{b.status}</Badge>{b.cached ? <Badge className="ml-1">cached</Badge> : null}</td>
                    <td><Link href={`/builds/${b.id}`} className="font-medium hover:underline">{b.name}</Link></td>
                    <td className="text-muted-foreground">{b.requester?.name ?? '—'}</td>
                    <td className="text-muted-foreground" title={b.createdAt}>{formatWhen(b.createdAt)}</td>
                    <td className="tabular-nums">{formatDuration(b.durationMs)}</td>
                    <td className="text-xs">{b.formats.join(', ')}</td>
                    <td>{b.bootCheck ? <VerdictBadge verdict={b.bootCheck.verdict} /> : <span className="text-muted-foreground">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {data && data.total > PAGE_SIZE ? (
          <nav aria-label="Pages" className="mt-3 flex items-center justify-end gap-2 text-sm">
            <Button size="sm" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>Previous</Button>
            <span className="text-muted-foreground">Page {page} of {pages}</span>
            <Button size="sm" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>Next</Button>
          </nav>
        ) : null}
      </div>
    </main>
  );
}
