// Left pane of the composer: the catalog grouped by kind; click or drag an entry to add it.
'use client';
import { useEffect, useMemo, useState } from 'react';
import type { CatalogEntry } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';
import { Input } from '../ui/Input';
import { Badge } from '../ui/Badge';
import { ErrorState, Loading } from '../ui/States';
import { CATALOG_DRAG } from './dragTypes';
import type { CatalogItemToAdd } from './specEdits';

export const KIND_ORDER = ['kernel', 'init', 'onboot', 'service', 'onshutdown', 'volume'];
export const KIND_LABEL: Record<string, string> = {
  kernel: 'Kernels',
  init: 'Init',
  onboot: 'Onboot',
  service: 'Services',
  onshutdown: 'Onshutdown',
  volume: 'Volumes',
};

export function groupByKind(items: CatalogEntry[]): [string, CatalogEntry[]][] {
  const groups = new Map<string, CatalogEntry[]>();
  for (const item of items) groups.set(item.kind, [...(groups.get(item.kind) ?? []), item]);
  return [...groups.entries()].sort(([a], [b]) => (KIND_ORDER.indexOf(a) + 99) % 99 - (KIND_ORDER.indexOf(b) + 99) % 99);
}

export function CatalogPicker({ onAdd, onLoaded }: { onAdd(item: CatalogItemToAdd): void; onLoaded?(items: CatalogEntry[]): void }) {
  const [items, setItems] = useState<CatalogEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState('');
  useEffect(() => {
    fetchJson<{ items: CatalogEntry[] }>('/api/v1/catalog')
      .then((r) => {
        setItems(r.items);
        onLoaded?.(r.items);
      })
      .catch((e: Error) => setError(e.message));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const groups = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const shown = (items ?? []).filter(
      (i) => !needle || `${i.title} ${i.name} ${i.reference} ${i.description} ${i.kind}`.toLowerCase().includes(needle),
    );
    return groupByKind(shown);
  }, [items, q]);

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="border-b p-2">
        <Input data-search placeholder="Search catalog  ( / )" aria-label="Search catalog" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      <div className="min-h-0 flex-1 overflow-auto p-2" data-testid="catalog-picker">
        {error ? <ErrorState message={error} /> : null}
        {!items && !error ? <Loading label="Loading catalog…" /> : null}
        {items && groups.length === 0 ? <p className="p-2 text-sm text-muted-foreground">No catalog entry matches “{q}”.</p> : null}
        {groups.map(([kind, entries]) => (
          <section key={kind} className="mb-3">
            <h3 className="px-1 pb-1 text-[11px] font-semibold uppercase tracking-wide text-muted-foreground">{KIND_LABEL[kind] ?? kind}</h3>
            <ul className="space-y-1">
              {entries.map((e) => {
                const add: CatalogItemToAdd = { kind: e.kind, reference: e.reference, name: e.name };
                return (
                  <li key={e.id}>
                    <button
                      type="button"
                      draggable
                      onDragStart={(ev) => {
                        ev.dataTransfer.setData(CATALOG_DRAG, JSON.stringify(add));
                        ev.dataTransfer.effectAllowed = 'copy';
                      }}
                      onClick={() => onAdd(add)}
                      title={`Add ${e.reference}`}
                      data-catalog-entry={e.name}
                      className="group w-full cursor-grab rounded-md border bg-card px-2 py-1.5 text-left hover:border-primary/60 hover:bg-accent active:cursor-grabbing"
                    >
                      <div className="flex items-center justify-between gap-2">
                        <span className="truncate text-sm font-medium">{e.title || e.name}</span>
                        <span aria-hidden className="text-xs text-primary opacity-0 group-hover:opacity-100 group-focus-visible:opacity-100">+ Add</span>
                      </div>
                      <div className="truncate font-mono text-[11px] text-muted-foreground">{e.reference}</div>
                      {e.deprecated ? <Badge tone="warning">deprecated</Badge> : null}
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        ))}
      </div>
    </div>
  );
}
