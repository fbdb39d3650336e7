// Shown while the spec is empty: start from a shared composition (the starter templates) instead
// of a blank page.
'use client';
import { useEffect, useState } from 'react';
import type { CompositionDetail, CompositionSummary } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';

export function TemplatePicker({ onPick }: { onPick(text: string, name: string): void }) {
  const [items, setItems] = useState<CompositionSummary[]>([]);
  useEffect(() => {
    fetchJson<{ items: CompositionSummary[] }>('/api/v1/compositions').then((r) => setItems(r.items.slice(0, 6)), () => setItems([]));
  }, []);
  if (!items.length) return null;
  return (
    <div className="px-3 pt-3">
      <h3 className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-muted-foreground">Start from a composition</h3>
      <ul className="grid grid-cols-2 gap-2">
        {items.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className="h-full w-full rounded-md border bg-card px-2.5 py-2 text-left hover:border-primary/60 hover:bg-accent"
              onClick={async () => {
                const d = await fetchJson<CompositionDetail>(`/api/v1/compositions/${c.id}`);
                onPick(d.spec, `${c.name} (copy)`);
              }}
            >
              <span className="block text-sm font-medium">{c.name}</span>
              <span className="line-clamp-2 text-xs text-muted-foreground">{c.description || `v${c.latestVersion}`}</span>
            </button>
          </li>
        ))}
      </ul>
      <p className="mt-2 text-xs text-muted-foreground">…or add images from the catalog on the left.</p>
    </div>
  );
}
