// The plan before building: which image resolves to which digest (and from where), and which
// sections the worker's cache already holds versus which the build will assemble.
'use client';
import type { PlanResult } from '../api-client/types';
import { Badge } from '../ui/Badge';
import { Button } from '../ui/Button';
import { CopyButton } from '../ui/CopyButton';
import { Loading, ErrorState } from '../ui/States';
import { useEscape } from '../ui/useEscape';

const SOURCE_LABEL: Record<string, string> = {
  store: 'image store',
  cache: 'engine cache',
  registry: 'registry',
  catalog: 'catalog pin',
};

/** sha256:0123456789ab… — enough to tell digests apart at a glance; the full one is copied. */
export function shortDigest(digest: string): string {
  const [alg, hex] = digest.includes(':') ? digest.split(':', 2) : ['', digest];
  return `${alg ? `${alg}:` : ''}${hex!.slice(0, 12)}`;
}

function ImagesTable({ images }: { images: PlanResult['images'] }) {
  if (!images.length) return <p className="text-muted-foreground">The spec names no images.</p>;
  return (
    <table className="w-full text-left text-xs">
      <caption className="mb-1 text-left text-xs font-semibold">Images</caption>
      <thead className="text-muted-foreground">
        <tr><th className="py-1">Reference</th><th>Digest</th><th>From</th><th /></tr>
      </thead>
      <tbody>
        {images.map((i) => (
          <tr key={i.reference} className="border-t align-top">
            <td className="max-w-[16rem] break-all py-1.5 pr-2 font-mono">
              {i.reference}
              {i.error ? <p role="note" className="mt-0.5 font-sans text-destructive [overflow-wrap:anywhere] [word-break:normal]">{i.error}</p> : null}
            </td>
            <td className="whitespace-nowrap py-1 font-mono">
              {i.digest ? (
                <span className="inline-flex items-center gap-1" title={i.digest}>
                  {shortDigest(i.digest)}
                  <CopyButton value={i.digest} label="Copy" />
                </span>
              ) : (
                <span className="text-muted-foreground">—</span>
              )}
            </td>
            <td className="whitespace-nowrap py-1.5 pr-2">{SOURCE_LABEL[i.source] ?? i.source}</td>
            <td className="py-1.5">
              {i.error ? (i.digest ? <Badge tone="warning">pin only</Badge> : <Badge tone="danger">unresolved</Badge>) : i.cached ? <Badge tone="success">local ✓</Badge> : <Badge tone="warning">will pull</Badge>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SectionsList({ sections }: { sections: PlanResult['sections'] }) {
  if (!sections.length) return null;
  const cached = sections.filter((s) => s.cached).length;
  return (
    <div>
      <h3 className="mb-1 text-xs font-semibold">
        Sections <span className="font-normal text-muted-foreground">— {cached} of {sections.length} cached</span>
      </h3>
      <ul className="divide-y rounded border text-xs">
        {sections.map((s, idx) => (
          <li key={`${idx}-${s.name}`} className="flex items-center justify-between gap-2 px-2 py-1">
            <span className="break-all font-mono">{s.name}</span>
            {s.cached ? <Badge tone="success">cached ✓</Badge> : <Badge tone="neutral">will build</Badge>}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function PlanDialog({ plan, error, loading, onClose, onBuild }: { plan: PlanResult | null; error: string | null; loading: boolean; onClose(): void; onBuild(): void }) {
  useEscape(onClose);
  return (
    <div role="dialog" aria-modal="true" aria-label="Build plan" className="fixed inset-0 z-40 grid place-items-center bg-black/40 p-4" onClick={onClose}>
      <div className="max-h-[80vh] w-full max-w-3xl overflow-auto rounded-lg border bg-card shadow-xl" onClick={(e) => e.stopPropagation()}>
        <header className="flex items-center justify-between border-b px-4 py-3">
          <h2 className="font-semibold">Build plan</h2>
          <Button variant="ghost" size="icon" aria-label="Close" onClick={onClose}>✕</Button>
        </header>
        <div className="space-y-4 p-4 text-sm">
          {loading ? <Loading label="Resolving images…" /> : null}
          {error ? <ErrorState message={`Could not make the plan: ${error}`} /> : null}
          {plan ? (
            <>
              {plan.problems.length ? <ErrorState message={plan.problems.map((p) => `Line ${p.line}: ${p.message}`).join('\n')} /> : null}
              <ImagesTable images={plan.images} />
              <SectionsList sections={plan.sections} />
            </>
          ) : null}
        </div>
        <footer className="flex justify-end gap-2 border-t px-4 py-3">
          <Button onClick={onClose}>Close</Button>
          <Button variant="primary" onClick={onBuild} disabled={loading}>Build</Button>
        </footer>
      </div>
    </div>
  );
}
