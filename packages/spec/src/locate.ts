// Map a spec path (['services', 2, 'binds', 0]) back to the YAML node it came from, so every
// problem carries the line and column the user sees in the editor.
import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';

export interface Span {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

export interface Located {
  /** The node at the path, or the nearest existing ancestor. */
  node?: Node;
  /** The key scalar when the path ends at a map key. */
  keyNode?: Node;
  /** True when the whole path exists. */
  exact: boolean;
}

/** Walk the document along path; stop at the deepest node that exists. */
export function locate(doc: Document, path: readonly (string | number)[]): Located {
  let node = doc.contents as Node | null | undefined;
  let keyNode: Node | undefined;
  if (!node) return { exact: path.length === 0 };
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(step));
      if (!pair) return { node, exact: false };
      keyNode = (pair.key as Node) ?? undefined;
      const value = pair.value as Node | null;
      if (!value) return { node: keyNode ?? node, keyNode, exact: true };
      node = value;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as Node | undefined;
      if (!item) return { node, exact: false };
      keyNode = undefined;
      node = item;
    } else {
      return { node, exact: false };
    }
  }
  return { node, keyNode, exact: true };
}

/** The key node of `key` in the map at path (for errors about the key itself). */
export function locateKey(doc: Document, path: readonly (string | number)[], key: string): Node | undefined {
  const parent = locate(doc, path);
  if (!parent.exact || !isMap(parent.node)) return undefined;
  const pair = parent.node.items.find((p) => isPair(p) && keyText(p.key) === key);
  return (pair?.key as Node | undefined) ?? undefined;
}

export function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return undefined;
  return String(key);
}

export function spanOf(node: Node | undefined, lines: LineCounter): Span {
  const range = node?.range;
  if (!range) return { line: 1, col: 1, endLine: 1, endCol: 1 };
  const start = lines.linePos(range[0]);
  const end = lines.linePos(range[1]);
  return { line: start.line, col: start.col, endLine: end.line, endCol: end.col };
}

/** Span from raw offsets (YAML syntax errors carry offsets, not nodes). */
export function spanOfOffsets(start: number, end: number, lines: LineCounter): Span {
  const a = lines.linePos(start);
  const b = lines.linePos(end);
  return { line: a.line, col: a.col, endLine: b.line, endCol: b.col };
}
