// Version history of a composition: pick two versions, see the line diff of the spec and, when
// they differ, of the boot expectations saved next to it.
'use client';
import { useEffect, useState } from 'react';
import type { BootExpectations, CompositionVersionInfo } from '../api-client/types';
import { expectationsAsLines } from '../composer/bootCheckForm';
import { fetchJson } from '../api-client/fetchJson';
import { DiffView } from '../diff/DiffView';
import { Button } from '../ui/Button';
import { ErrorState, Loading } from '../ui/States';
import { formatWhen } from '../ui/format';
import { useEscape } from '../ui/useEscape';

export function HistoryDialog({ id, versions, onClose }: { id: string; versions: CompositionVersionInfo[]; onClose(): void }) {
  useEscape(onClose);
  const latest = versions[0]?.version ?? 1;
  const [from, setFrom] = useState(Math.max(1, latest - 1));
  const [to, setTo] = useState(latest);
  const [texts, setTexts] = useState<[string, string] | null>(null);
  const [boot, setBoot] = useState<[string, string] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setTexts(null);
    setBoot(null);
    const get = (v: number) => fetchJson<{ spec: string; bootCheck?: BootExpectations | null }>(`/api/v1/compositions/${id}/versions/${v}`);
    Promise.all([get(from), get(to)]).then(
      ([a, b]) => {
        setTexts([a.spec, b.spec]);
        setBoot([expectationsAsLines(a.bootCheck), expectationsAsLines(b.bootCheck)]);
      },
      (e: Error) => setError(e.message),
    );
  }, [id, from, to]);
  const select = (value: number, set: (v: number) => void, label: string) => (
    <label className="flex items-center gap-1 text-xs">
      {label}
      <select className="h-7 rounded-md border bg-card px-1.5" value={value} onChange={(e) => set(Number(e.target.value))}>
        {versions.map((v) => <option key={v.version} value={v.version}>v{v.version}</option>)}
      </select>
    </label>
  );
  return (
    <div role="dialog" aria-modal="true" aria-label="Version history" className="fixed inset-0 z-40 grid place-items-center bg-black/40 p-4" onClick={onClose}>
      <div className="grid max-h-[85vh] w-full max-w-5xl grid-cols-[14rem_1fr] overflow-hidden rounded-lg border bg-card shadow-xl" onClick={(e) => e.stopPropagation()}>
        <aside className="overflow-auto border-r">
          <h2 className="border-b px-3 py-2.5 text-sm font-semibold">Versions</h2>
          <ol>
            {versions.map((v) => (
              <li key={v.version}>
                <button type="button" onClick={() => { setTo(v.version); setFrom(Math.max(1, v.version - 1)); }} className="w-full border-b px-3 py-2 text-left text-xs hover:bg-muted" aria-current={to === v.version ? 'true' : undefined}>
                  <span className="font-medium">v{v.version}</span> · {formatWhen(v.createdAt)}
                  <span className="block truncate text-muted-foreground">{v.message || '—'}{v.author ? ` · ${v.author.name}` : ''}</span>
                </button>
              </li>
            ))}
          </ol>
        </aside>
        <section className="flex min-h-0 flex-col">
          <header className="flex items-center gap-3 border-b px-4 py-2">
            {select(from, setFrom, 'From')}
            {select(to, setTo, 'to')}
            <Button className="ml-auto" variant="ghost" size="icon" aria-label="Close" onClick={onClose}>✕</Button>
          </header>
          <div className="min-h-0 overflow-auto p-4">
            {error ? <ErrorState message={error} /> : null}
            {!texts && !error ? <Loading /> : null}
            {texts ? <DiffView before={texts[0]} after={texts[1]} labels={[`v${from}`, `v${to}`]} /> : null}
            {boot && boot[0] !== boot[1] ? (
              <div className="mt-4 space-y-1.5" data-testid="boot-check-diff">
                <h3 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">Boot check</h3>
                <DiffView before={boot[0]} after={boot[1]} labels={[`v${from}`, `v${to}`]} />
              </div>
            ) : null}
          </div>
        </section>
      </div>
    </div>
  );
}
