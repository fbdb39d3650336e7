// Pure edits of spec text for the visual composer: each takes YAML text and returns new text.
// They work on the `yaml` Document (as the spec package's edit API does), so comments, key
// order and everything the form does not touch stay as the user wrote them.
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLSeq } from 'yaml';

export type ImageSection = 'onboot' | 'onshutdown' | 'services';
export type Path = (string | number)[];

/** What the composer has selected: the kernel, the init list, one image entry or one file. */
export type Selection =
  | { section: 'kernel' }
  | { section: 'init' }
  | { section: ImageSection; index: number }
  | { section: 'files'; index: number };

export interface CatalogItemToAdd {
  kind: string;
  reference: string;
  name: string;
}

function load(text: string): Document {
  const doc = parseDocument(text);
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as never;
  return doc;
}

function dump(doc: Document): string {
  // Empty flow map from an empty document: print block style instead of `{}`.
  const out = doc.toString({ lineWidth: 0 });
  return out.trim() === '{}' ? '' : out;
}

/** Turns the spec's section into a block sequence when it is missing or `null`. */
function ensureSeq(doc: Document, key: string): YAMLSeq {
  if (!isSeq(doc.get(key, true))) doc.set(key, doc.createNode([]));
  const seq = doc.get(key, true) as YAMLSeq;
  // `services: []` is a flow sequence; entries the composer adds read better as a block.
  seq.flow = false;
  return seq;
}

function ensureRootMap(doc: Document): void {
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as never;
}

/** Names already used by image entries in a section, so additions get a unique one. */
function usedNames(doc: Document, section: ImageSection): Set<string> {
  const seq = doc.get(section, true);
  const names = new Set<string>();
  if (isSeq(seq)) {
    for (const item of seq.items) {
      if (isMap(item)) {
        const n = item.get('name');
        if (typeof n === 'string') names.add(n);
      }
    }
  }
  return names;
}

export function sectionForKind(kind: string): 'kernel' | 'init' | ImageSection | null {
  if (kind === 'kernel') return 'kernel';
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
  const doc = load(text);
  ensureRootMap(doc);
  const section = sectionForKind(item.kind);
  if (section === 'kernel') {
    if (isMap(doc.get('kernel', true))) {
      doc.setIn(['kernel', 'image'], item.reference);
    } else {
      doc.set('kernel', doc.createNode({ image: item.reference, cmdline: 'console=ttyS0' }));
    }
    return { text: dump(doc), selection: { section: 'kernel' } };
  }
  if (section === 'init') {
    const seq = ensureSeq(doc, 'init');
    const present = seq.items.some((i) => isScalar(i) && i.value === item.reference);
    if (!present) seq.add(item.reference);
    return { text: dump(doc), selection: { section: 'init' } };
  }
  if (section === null) return { text, selection: null };
  const seq = ensureSeq(doc, section);
  const names = usedNames(doc, section);
  let name = item.name;
  for (let i = 2; names.has(name); i++) name = `${item.name}-${i}`;
  seq.add(doc.createNode({ name, image: item.reference }));
  return { text: dump(doc), selection: { section, index: seq.items.length - 1 } };
}

/** Sets one field (creating parents); `undefined`, '' and [] unset it instead. */
export function setField(text: string, path: Path, value: unknown): string {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return unsetField(text, path);
  const doc = load(text);
  ensureRootMap(doc);
  const current = doc.getIn(path, true);
  // Keep the node (and its comment) when only a scalar changes.
  if (current && typeof value !== 'object' && 'value' in (current as object)) {
    (current as { value: unknown }).value = value;
  } else {
    doc.setIn(path, doc.createNode(value));
  }
  return dump(doc);
}

export function unsetField(text: string, path: Path): string {
  const doc = load(text);
  if (!doc.hasIn(path)) return text;
  doc.deleteIn(path);
  return dump(doc);
}

/** Removes the selected kernel, image entry or file. */
export function removeItem(text: string, sel: Selection): string {
  if (sel.section === 'kernel' || sel.section === 'init') return unsetField(text, [sel.section]);
  const doc = load(text);
  const seq = doc.get(sel.section, true);
  if (!isSeq(seq)) return text;
  seq.items.splice(sel.index, 1);
  return dump(doc);
}

/** Moves an entry within its section (onboot order is boot order). */
export function moveItem(text: string, section: ImageSection | 'files' | 'init', from: number, to: number): string {
  const doc = load(text);
  const seq = doc.get(section, true);
  if (!isSeq(seq) || from === to || from < 0 || from >= seq.items.length) return text;
  const [item] = seq.items.splice(from, 1);
  seq.items.splice(Math.max(0, Math.min(to, seq.items.length)), 0, item);
  return dump(doc);
}

/** Adds an empty file entry and returns its index. */
export function addFile(text: string, path: string): { text: string; selection: Selection } {
  const doc = load(text);
  ensureRootMap(doc);
  const seq = ensureSeq(doc, 'files');
  seq.add(doc.createNode({ path, contents: '', mode: '0644' }));
  return { text: dump(doc), selection: { section: 'files', index: seq.items.length - 1 } };
}
