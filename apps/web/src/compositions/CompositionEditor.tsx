// /compositions/[id]: the composer on a saved composition, with its version history (diff any
// two versions), sharing and duplication.
'use client';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import type { CompositionDetail } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';
import { Composer } from '../composer/Composer';
import { Button } from '../ui/Button';
import { ErrorState, Loading } from '../ui/States';
import { HistoryDialog } from './HistoryDialog';

export function CompositionEditor({ id }: { id: string }) {
  const router = useRouter();
  const [detail, setDetail] = useState<CompositionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [history, setHistory] = useState(false);
  const [shareNote, setShareNote] = useState<string | null>(null);
  const load = useCallback(() => fetchJson<CompositionDetail>(`/api/v1/compositions/${id}`).then(setDetail, (e: Error) => setError(e.message)), [id]);
  useEffect(() => {
    void load();
  }, [load]);
  if (error) return <main className="p-6"><ErrorState message={error} /></main>;
  if (!detail) return <Loading label="Loading composition…" />;

  const share = async () => {
    const next = detail.visibility === 'public' ? 'team' : 'public';
    await fetchJson(`/api/v1/compositions/${id}`, { method: 'PUT', body: { visibility: next } });
    await navigator.clipboard?.writeText(window.location.href).catch(() => undefined);
    setShareNote(next === 'public' ? 'Shared: everyone on this server can open it (link copied).' : 'Team only again.');
    await load();
  };
  const duplicate = async () => {
    const r = await fetchJson<{ id: string }>(`/api/v1/compositions/${id}/duplicate`, { body: { name: `${detail.name} (copy)` } });
    router.push(`/compositions/${r.id}`);
  };

  return (
    <>
      {shareNote ? <div role="status" className="border-b bg-accent px-3 py-1.5 text-sm">{shareNote}</div> : null}
      <Composer
        key={id}
        compositionId={id}
        initialName={detail.name}
        initialText={detail.spec}
        version={detail.latestVersion}
        initialBootCheck={detail.bootCheck}
        onSaved={() => void load()}
        toolbarExtra={
          <>
            <Button size="sm" variant="ghost" onClick={() => setHistory(true)}>History ({detail.versions.length})</Button>
            <Button size="sm" variant="ghost" onClick={() => void share()} aria-pressed={detail.visibility === 'public'}>{detail.visibility === 'public' ? 'Shared' : 'Share'}</Button>
            <Button size="sm" variant="ghost" onClick={() => void duplicate()}>Duplicate</Button>
          </>
        }
      />
      {history ? <HistoryDialog id={id} versions={detail.versions} onClose={() => setHistory(false)} /> : null}
    </>
  );
}
