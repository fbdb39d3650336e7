// The plan before building: which image resolves to which digest and what is already cached.
'use client';
import type { PlanResult } from '../api-client/types';
import { Badge } from '../ui/Badge';
import { Button } from '../ui/Button';
import { Loading, ErrorState } from '../ui/States';
import { useEscape } from '../ui/useEscape';

export function PlanDialog({ plan, error, loading, onClose, onBuild }: { plan: PlanResult | null; error: string | null; loading: boolean; onClose(): void; onBuild(): void }) {
  useEscape(onClose);
  return (
    <div role="dialog" aria-modal="true" aria-label="Build plan" className="fixed inset-0 z-40 grid place-items-center bg-black/40 p-4" onClick={onClose}>
      <div className="max-h-[80vh] w-full max-w-2xl overflow-auto rounded-lg border bg-card shadow-xl" onClick={(e) => e.stopPropagation()}>
        <header className="flex items-center justify-between border-b px-4 py-3">
          <h2 className="font-semibold">Build plan</h2>
          <Button variant="ghost" size="icon" aria-label="Close" onClick={onClose}>✕</Button>
        </header>
        <div className="space-y-4 p-4 text-sm">
          {loading ? <Loading label="Resolving images…" /> : null}
          {error ? <ErrorState message={error} /> : null}
          {plan ? (
            <>
              <table className="w-full text-left text-xs">
                <thead className="text-muted-foreground">
                  <tr><th className="py-1">Image</th><th>Digest</th><th>Source</th><th /></tr>
                </thead>
                <tbody>
                  {plan.images.map((i) => (
                    <tr key={i.reference} className="border-t">
                      <td className="py-1.5 font-mono">{i.reference}</td>
                      <td className="font-mono">{i.digest ? `${i.digest.slice(0, 19)}…` : '—'}</td>
                      <td>{i.source}</td>
                      <td>{i.cached ? <Badge tone="success">cached</Badge> : null}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {plan.sections.length ? (
                <div>
                  <h3 className="mb-1 text-xs font-semibold">Sections</h3>
                  <ul className="flex flex-wrap gap-1">
                    {plan.sections.map((s) => (
                      <li key={s.name}><Badge tone={s.cached ? 'success' : 'neutral'}>{s.name}{s.cached ? ' · cached' : ''}</Badge></li>
                    ))}
                  </ul>
                </div>
              ) : null}
              {plan.problems.length ? <ErrorState message={plan.problems.map((p) => `Line ${p.line}: ${p.message}`).join('\n')} /> : null}
            </>
          ) : null}
        </div>
        <footer className="flex justify-end gap-2 border-t px-4 py-3">
          <Button onClick={onClose}>Close</Button>
          <Button variant="primary" onClick={onBuild}>Build</Button>
        </footer>
      </div>
    </div>
  );
}
