// Composer edits of spec text: each takes YAML text and returns new text. They go through the
// spec package's SpecDocument, which splices only the touched entries, so comments, key order
// and everything the form does not touch stay exactly as the user wrote them.
import { SpecDocument } from '@oscompose/spec';

export type ImageSection = 'onboot' | 'onshutdown' | 'services';
export type Path = (string | number)[];

/** What the composer has selected: the kernel, the init list, one image entry or one file. */
export type Selection =
  | { section: 'kernel' }
  | { section: 'init' }
  | { section: ImageSection; index: number }
  | { section: 'files'; index: number }
  | { section: 'volumes'; index: number };

export interface CatalogItemToAdd {
  kind: string;
  reference: string;
  name: string;
}

/** Applies an edit; text that does not parse as YAML is returned unchanged (the form is read-only then). */
function edit(text: string, fn: (doc: SpecDocument) => void): string {
  try {
    const doc = new SpecDocument(text);
    fn(doc);
    return doc.toString();
  } catch {
    return text;
  }
}

function listAt(doc: SpecDocument, key: string): unknown[] {
  const v = doc.doc.toJS()?.[key] as unknown;
  return Array.isArray(v) ? v : [];
}

export function sectionForKind(kind: string): 'kernel' | 'init' | 'volumes' | ImageSection | null {
  if (kind === 'kernel') return 'kernel';
  if (kind === 'volume') return 'volumes';
  if (kind === 'init') return 'init';
  if (kind === 'onboot') return 'onboot';
  if (kind === 'onshutdown') return 'onshutdown';
  if (kind === 'service' || kind === 'services') return 'services';
  return null;
}

/**
 * Adds a catalog entry where its kind belongs: a kernel replaces `kernel.image` (keeping the
 * cmdline), an init image is appended to `init` once, other images get a new named entry.
 * Returns the new text and what to select afterwards.
 */
export function addCatalogItem(text: string, item: CatalogItemToAdd): { text: string; selection: Selection | null } {
  const section = sectionForKind(item.kind);
  if (section === null) return { text, selection: null };
  let selection: Selection | null = null;
  const out = edit(text, (doc) => {
    const js = (doc.doc.toJS() ?? {}) as Record<string, unknown>;
    if (section === 'kernel') {
      if (js.kernel && typeof js.kernel === 'object') doc.setField(['kernel', 'image'], item.reference);
      else doc.setField(['kernel'], { image: item.reference, cmdline: 'console=ttyS0' });
      selection = { section: 'kernel' };
    } else if (section === 'init') {
      if (!listAt(doc, 'init').includes(item.reference)) doc.addItem(['init'], item.reference);
      selection = { section: 'init' };
    } else if (section === 'volumes') {
      const names = new Set(listAt(doc, 'volumes').map((e) => (e && typeof e === 'object' ? (e as { name?: unknown }).name : undefined)));
      let name = item.name;
      for (let i = 2; names.has(name); i++) name = `${item.name}-${i}`;
      doc.addItem(['volumes'], { name, image: item.reference });
      selection = { section: 'volumes', index: listAt(doc, 'volumes').length - 1 };
    } else {
      const names = new Set(listAt(doc, section).map((e) => (e && typeof e === 'object' ? (e as { name?: unknown }).name : undefined)));
      let name = item.name;
      for (let i = 2; names.has(name); i++) name = `${item.name}-${i}`;
      doc.addImage(section, { name, image: item.reference });
      selection = { section, index: listAt(doc, section).length - 1 };
    }
  });
  return { text: out, selection: out === text ? null : selection };
}

/** Sets one field (creating parents); `undefined`, '' and [] unset it instead. */
export function setField(text: string, path: Path, value: unknown): string {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return unsetField(text, path);
  return edit(text, (doc) => doc.setField(path, value));
}

export function unsetField(text: string, path: Path): string {
  return edit(text, (doc) => doc.unsetField(path));
}

/** Removes the selected kernel, init list, image entry or file. */
export function removeItem(text: string, sel: Selection): string {
  if (sel.section === 'kernel' || sel.section === 'init') return unsetField(text, [sel.section]);
  if (sel.section === 'files' || sel.section === 'volumes') return edit(text, (doc) => doc.removeItem([sel.section], sel.index));
  return edit(text, (doc) => doc.removeImage(sel.section as ImageSection, sel.index));
}

/** Moves an entry within its section (onboot order is boot order). */
export function moveItem(text: string, section: ImageSection | 'files' | 'init', from: number, to: number): string {
  if (from === to) return text;
  if (section === 'files' || section === 'init') return edit(text, (doc) => doc.moveItem([section], from, to));
  return edit(text, (doc) => doc.moveImage(section, from, to));
}

/** Adds a file entry and selects it. */
export function addFile(text: string, path: string): { text: string; selection: Selection } {
  let index = 0;
  const out = edit(text, (doc) => {
    doc.addItem(['files'], { path, contents: 'hello from oscompose\n', mode: '0644' });
    index = listAt(doc, 'files').length - 1;
  });
  return { text: out, selection: { section: 'files', index } };
}
