// Things a newcomer is likely to miss, each with a one-click fix: a spec without a kernel or
// init, or containers without runc to run them; and images the team catalog has deprecated.
'use client';
import type { CatalogEntry } from '../api-client/types';
import { Button } from '../ui/Button';
import type { CatalogItemToAdd } from './specEdits';
import type { SpecModel } from './specModel';

export interface Hint {
  message: string;
  fix?: { label: string; item: CatalogItemToAdd };
}

const toAdd = (e: CatalogEntry): CatalogItemToAdd => ({ kind: e.kind, reference: e.reference, name: e.name });

export function specHints(model: SpecModel, catalog: CatalogEntry[]): Hint[] {
  if (!model.ok) return [];
  const hints: Hint[] = [];
  const find = (pred: (e: CatalogEntry) => boolean) => catalog.find((e) => !e.deprecated && pred(e));
  const hasContainers = model.onboot.length + model.services.length + model.onshutdown.length > 0;
  if (!model.kernel?.image) {
    const k = find((e) => e.kind === 'kernel' && e.source !== 'remote');
    hints.push({ message: 'No kernel yet: the system cannot boot without one.', fix: k ? { label: `Add ${k.title}`, item: toAdd(k) } : undefined });
  }
  if (model.init.length === 0) {
    const i = find((e) => e.kind === 'init' && e.name === 'init');
    hints.push({ message: 'No init image: add one to start the system.', fix: i ? { label: `Add ${i.title}`, item: toAdd(i) } : undefined });
  }
  if (hasContainers && model.init.length > 0 && !model.init.some((r) => /(^|\/)[^/]*runc[^/]*(:|@|$)/.test(r))) {
    const r = find((e) => e.kind === 'init' && e.name === 'runc');
    hints.push({ message: 'Onboot and service containers need runc in init to run.', fix: r ? { label: 'Add runc', item: toAdd(r) } : undefined });
  }
  hints.push(...deprecatedHints(model, catalog));
  return hints;
}

/** Without a pinned digest: `ref@sha256:…` in a spec still names the catalog's `ref`. */
const withoutDigest = (ref: string) => ref.split('@')[0]!;

/** One warning per image in the spec whose catalog entry is deprecated, with the entry's note. */
export function deprecatedHints(model: SpecModel, catalog: CatalogEntry[]): Hint[] {
  const deprecated = new Map(catalog.filter((e) => e.deprecated).map((e) => [withoutDigest(e.reference), e]));
  if (!deprecated.size) return [];
  const images = [model.kernel?.image, ...model.init, ...[...model.onboot, ...model.services, ...model.onshutdown].map((c) => c.image), ...model.volumes.map((v) => v.image)];
  const seen = new Set<string>();
  const out: Hint[] = [];
  for (const image of images) {
    if (typeof image !== 'string') continue;
    const e = deprecated.get(withoutDigest(image));
    if (!e || seen.has(e.id)) continue;
    seen.add(e.id);
    out.push({ message: `${e.title || e.name} (${e.reference}) is deprecated in the catalog${e.deprecationNote ? `: ${e.deprecationNote}` : '; pick another image'}.` });
  }
  return out;
}

export function HintList({ hints, onFix }: { hints: Hint[]; onFix(item: CatalogItemToAdd): void }) {
  if (!hints.length) return null;
  return (
    <ul className="space-y-1 px-3 pt-3" aria-label="Suggestions">
      {hints.map((h) => (
        <li key={h.message} className="flex items-center gap-2 rounded-md border border-warning/40 bg-warning/8 px-2.5 py-1.5 text-xs">
          <span className="flex-1">{h.message}</span>
          {h.fix ? <Button size="sm" variant="outline" onClick={() => onFix(h.fix!.item)}>{h.fix.label}</Button> : null}
        </li>
      ))}
    </ul>
  );
}
