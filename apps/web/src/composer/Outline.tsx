// Middle pane, top: the composition at a glance — kernel, init, onboot (drag to reorder),
// services, onshutdown, files. Catalog entries can be dropped anywhere on it.
'use client';
import { useState } from 'react';
import { cx } from '../ui/classNames';
import { Button } from '../ui/Button';
import { CATALOG_DRAG, ITEM_DRAG } from './dragTypes';
import type { CatalogItemToAdd, ImageSection, Selection } from './specEdits';
import { shortImage, type SpecModel } from './specModel';

interface Props {
  model: SpecModel;
  selection: Selection | null;
  onSelect(sel: Selection): void;
  onRemove(sel: Selection): void;
  onMove(section: ImageSection | 'files', from: number, to: number): void;
  onDropCatalog(item: CatalogItemToAdd): void;
  onAddFile(): void;
}

function same(a: Selection | null, b: Selection): boolean {
  return !!a && a.section === b.section && ('index' in a ? a.index : -1) === ('index' in b ? b.index : -1);
}

export function Outline({ model, selection, onSelect, onRemove, onMove, onDropCatalog, onAddFile }: Props) {
  const [dropping, setDropping] = useState(false);
  const [over, setOver] = useState<string | null>(null);

  const row = (sel: Selection, label: string, sub: string, draggable: boolean) => {
    const key = `${sel.section}:${'index' in sel ? sel.index : ''}`;
    return (
      <li
        key={key}
        draggable={draggable}
        onDragStart={(e) => {
          if (!('index' in sel)) return;
          e.dataTransfer.setData(ITEM_DRAG, JSON.stringify(sel));
          e.dataTransfer.effectAllowed = 'move';
        }}
        onDragOver={(e) => {
          if (draggable && e.dataTransfer.types.includes(ITEM_DRAG)) {
            e.preventDefault();
            setOver(key);
          }
        }}
        onDragLeave={() => setOver((o) => (o === key ? null : o))}
        onDrop={(e) => {
          const raw = e.dataTransfer.getData(ITEM_DRAG);
          setOver(null);
          if (!raw || !('index' in sel)) return;
          e.preventDefault();
          e.stopPropagation();
          const from = JSON.parse(raw) as { section: string; index: number };
          if (from.section === sel.section) onMove(sel.section as ImageSection | 'files', from.index, sel.index);
        }}
        className={cx(
          'group flex items-center gap-2 rounded-md border px-2 py-1.5',
          same(selection, sel) ? 'border-primary bg-accent' : 'bg-card hover:bg-muted',
          over === key && 'ring-2 ring-primary',
        )}
        data-outline-item={key}
      >
        {draggable ? (
          <span aria-hidden className="cursor-grab select-none text-muted-foreground" title="Drag to reorder">⋮⋮</span>
        ) : null}
        <button type="button" className="min-w-0 flex-1 text-left" onClick={() => onSelect(sel)} aria-pressed={same(selection, sel)}>
          <span className="block truncate text-sm font-medium">{label}</span>
          <span className="block truncate font-mono text-[11px] text-muted-foreground">{sub}</span>
        </button>
        <button
          type="button"
          aria-label={`Remove ${label}`}
          className="rounded px-1 text-muted-foreground opacity-0 hover:text-destructive group-hover:opacity-100 focus-visible:opacity-100"
          onClick={() => onRemove(sel)}
        >
          ✕
        </button>
      </li>
    );
  };

  const imageSection = (section: ImageSection, title: string, hint: string) => (
    <section>
      <h3 className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-muted-foreground">
        {title} <span className="font-normal normal-case">{model[section].length ? `(${model[section].length})` : ''}</span>
      </h3>
      {model[section].length === 0 ? <p className="rounded-md border border-dashed px-2 py-1.5 text-xs text-muted-foreground">{hint}</p> : null}
      <ol className="space-y-1">
        {model[section].map((e, i) => row({ section, index: i }, e.name ?? `(unnamed ${i + 1})`, shortImage(e.image), true))}
      </ol>
    </section>
  );

  return (
    <div
      className={cx('space-y-3 p-3', dropping && 'rounded-lg bg-accent/60 outline-2 outline-dashed outline-primary')}
      data-testid="outline"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(CATALOG_DRAG)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setDropping(true);
        }
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false);
      }}
      onDrop={(e) => {
        setDropping(false);
        const raw = e.dataTransfer.getData(CATALOG_DRAG);
        if (raw) {
          e.preventDefault();
          onDropCatalog(JSON.parse(raw) as CatalogItemToAdd);
        }
      }}
    >
      <section>
        <h3 className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-muted-foreground">Kernel</h3>
        {model.kernel
          ? <ul>{row({ section: 'kernel' }, shortImage(model.kernel.image) || 'kernel', model.kernel.cmdline ?? '', false)}</ul>
          : <p className="rounded-md border border-dashed px-2 py-1.5 text-xs text-muted-foreground">Pick a kernel from the catalog.</p>}
      </section>
      <section>
        <h3 className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-muted-foreground">Init</h3>
        {model.init.length
          ? <ul>{row({ section: 'init' }, model.init.map(shortImage).join(', '), `${model.init.length} image${model.init.length > 1 ? 's' : ''} unpacked into /`, false)}</ul>
          : <p className="rounded-md border border-dashed px-2 py-1.5 text-xs text-muted-foreground">Add an init (and runc/containerd) from the catalog.</p>}
      </section>
      {imageSection('onboot', 'Onboot', 'Run once, in order, at boot. Drag to reorder.')}
      {imageSection('services', 'Services', 'Long-running containers.')}
      {model.onshutdown.length ? imageSection('onshutdown', 'Onshutdown', '') : null}
      {model.volumes.length ? (
        <section>
          <h3 className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-muted-foreground">Volumes</h3>
          <ol className="space-y-1">
            {model.volumes.map((v, i) => row({ section: 'volumes', index: i }, v.name ?? `(volume ${i + 1})`, shortImage(v.image) || 'empty volume', false))}
          </ol>
        </section>
      ) : null}
      <section>
        <div className="mb-1 flex items-center justify-between">
          <h3 className="text-[11px] font-semibold uppercase tracking-wide text-muted-foreground">Files</h3>
          <Button size="sm" variant="ghost" onClick={onAddFile}>+ File</Button>
        </div>
        <ol className="space-y-1">
          {model.files.map((f, i) =>
            row({ section: 'files', index: i }, f.path ?? `(file ${i + 1})`, f.directory ? 'directory' : f.symlink ? `→ ${f.symlink}` : f.mode ?? '', true),
          )}
        </ol>
      </section>
    </div>
  );
}
