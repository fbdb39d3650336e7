// SpecDocument: edit a spec the way a person would in a text editor. Every edit splices only the
// text of the entries it touches and re-parses, so comments, key order, quoting and blank lines
// everywhere else stay byte-for-byte what the user wrote (the visual editor relies on this).
import { isCollection, isMap, isPair, isScalar, isSeq, stringify, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { parseSpec, type ParseOptions } from './parse';
import type { ImageConfig, ImageSection, Spec } from './schema';
import { SpecError, type SpecProblem } from './problems';
import { keyText } from './locate';
import { stringifyOptions } from './yamlOptions';

type Path = (string | number)[];

export class SpecDocument {
  #text: string;
  #opts: ParseOptions;
  #doc!: Document;
  #spec: Spec | undefined;
  #problems: SpecProblem[] = [];

  constructor(text: string, opts: ParseOptions = {}) {
    this.#text = text;
    this.#opts = opts;
    this.#reparse();
  }

  static parse(text: string, opts: ParseOptions = {}): SpecDocument {
    return new SpecDocument(text, opts);
  }

  /** The current YAML text. */
  toString(): string {
    return this.#text;
  }
  get text(): string {
    return this.#text;
  }
  get doc(): Document {
    return this.#doc;
  }
  /** The typed spec, when the current text has no error. */
  get spec(): Spec | undefined {
    return this.#spec;
  }
  get problems(): SpecProblem[] {
    return this.#problems;
  }

  // ------------------------------------------------------------ images

  /** Insert an entry into onboot/onshutdown/services, before `index` (default: at the end). */
  addImage(section: ImageSection, entry: ImageConfig, index?: number): this {
    return this.addItem([section], entry, index);
  }

  /** Remove an entry, by index or by name. */
  removeImage(section: ImageSection, which: number | string): this {
    return this.removeItem([section], this.#indexOf(section, which));
  }

  /** Move an entry (by index or name) so that it ends up at index `to`. */
  moveImage(section: ImageSection, from: number | string, to: number): this {
    return this.moveItem([section], this.#indexOf(section, from), to);
  }

  // ------------------------------------------------------------ generic list edits

  /** Insert a value into the list at path (created when missing), before `index`. */
  addItem(path: Path, value: unknown, index?: number): this {
    this.#requireParsed();
    const seq = this.#nodeAt(path);
    if (seq === undefined || seq === null || (isScalar(seq) && seq.value === null)) {
      return this.setField(path, [value]);
    }
    if (!isSeq(seq)) throw editError(path, 'is not a list');
    const items = seq.items as Node[];
    const at = index === undefined ? items.length : Math.max(0, Math.min(index, items.length));
    if (seq.flow || items.length === 0) {
      const values = (seq.toJSON() as unknown[]) ?? [];
      values.splice(at, 0, value);
      return this.setField(path, values);
    }
    const indent = this.#col(seq.range![0]);
    const block = reindent(stringify([value], STRINGIFY), indent);
    const pos = at < items.length ? this.#itemBlock(seq, at).start : this.#lineEndAfter(valueEnd(this.#text, seq));
    return this.#splice(pos, pos, this.#ensureLineStart(pos) + block);
  }

  removeItem(path: Path, index: number): this {
    this.#requireParsed();
    const seq = this.#nodeAt(path);
    if (!isSeq(seq) || index < 0 || index >= seq.items.length) throw editError([...path, index], 'does not exist');
    if (seq.flow) {
      const values = seq.toJSON() as unknown[];
      values.splice(index, 1);
      return this.setField(path, values);
    }
    if (seq.items.length === 1) return this.setField(path, []);
    const { start, end } = this.#itemBlock(seq, index);
    return this.#splice(start, end, '');
  }

  moveItem(path: Path, from: number, to: number): this {
    this.#requireParsed();
    const seq = this.#nodeAt(path);
    if (!isSeq(seq) || from < 0 || from >= seq.items.length) throw editError([...path, from], 'does not exist');
    const n = seq.items.length;
    const target = Math.max(0, Math.min(to, n - 1));
    if (target === from) return this;
    if (seq.flow) {
      const values = seq.toJSON() as unknown[];
      const [v] = values.splice(from, 1);
      values.splice(target, 0, v);
      return this.setField(path, values);
    }
    const moving = this.#itemBlock(seq, from);
    let chunk = this.#text.slice(moving.start, moving.end);
    if (!chunk.endsWith('\n')) chunk += '\n';
    // Where the item goes, measured in the text before the cut.
    let pos: number;
    if (target > from) {
      pos = target === n - 1 ? this.#lineEndAfter(valueEnd(this.#text, seq)) : this.#itemBlock(seq, target + 1).start;
    } else {
      pos = this.#itemBlock(seq, target).start;
    }
    let text = this.#text;
    const prefix = pos === text.length && !text.endsWith('\n') ? (text.includes('\r\n') ? '\r\n' : '\n') : '';
    text = text.slice(0, pos) + prefix + chunk + text.slice(pos);
    const shift = pos <= moving.start ? chunk.length + prefix.length : 0;
    let cutEnd = moving.end + shift;
    if (this.#text[moving.end - 1] !== '\n' && text[cutEnd] === '\n') cutEnd++;
    text = text.slice(0, moving.start + shift) + text.slice(cutEnd);
    return this.#replaceText(text);
  }

  // ------------------------------------------------------------ fields

  /** Set the value at path; missing parent maps are created; `undefined` unsets. */
  setField(path: Path, value: unknown): this {
    if (value === undefined) return this.unsetField(path);
    this.#requireParsed();
    if (path.length === 0) throw editError(path, 'cannot replace the whole spec; edit its sections');
    const parentPath = path.slice(0, -1);
    const key = path[path.length - 1]!;
    const parent = this.#nodeAt(parentPath);

    if (typeof key === 'number') {
      if (!isSeq(parent) || key < 0 || key > parent.items.length) throw editError(path, 'does not exist');
      if (key === parent.items.length) return this.addItem(parentPath, value);
      const item = parent.items[key] as Node;
      if (parent.flow) {
        const values = parent.toJSON() as unknown[];
        values[key] = value;
        return this.setField(parentPath, values);
      }
      return this.#replaceValue(item, value, this.#col(item.range![0]), true);
    }

    if (parent === undefined || parent === null || (isScalar(parent) && parent.value === null)) {
      if (parentPath.length === 0) {
        // Empty document: the text becomes this one key.
        const rendered = stringify({ [key]: value }, STRINGIFY);
        const sep = this.#text === '' || this.#text.endsWith('\n') ? '' : '\n';
        return this.#splice(this.#text.length, this.#text.length, sep + rendered);
      }
      return this.setField(parentPath, { [key]: value });
    }
    if (!isMap(parent)) throw editError(parentPath, 'is not a map');
    const pair = findPair(parent, key);
    if (pair) {
      const v = pair.value as Node | null;
      if (v && v.range) {
        const keyNode = pair.key as Node;
        return this.#replaceValue(v, value, this.#col(keyNode.range![0]), false, keyNode);
      }
      // `key:` with nothing after it.
      const keyNode = pair.key as Node;
      const colon = this.#text.indexOf(':', keyNode.range![1]);
      const rendered = renderAfterKey(key, value, this.#col(keyNode.range![0]));
      return this.#splice(colon + 1, colon + 1, rendered);
    }
    if (parent.flow) {
      const obj = (parent.toJSON() ?? {}) as Record<string, unknown>;
      obj[key] = value;
      return this.setField(parentPath, obj);
    }
    // A new key goes after the last pair of the map, at the map's indentation.
    const indent = this.#col(parent.range![0]);
    const block = reindent(stringify({ [key]: value }, STRINGIFY), indent);
    const pos = this.#lineEndAfter(valueEnd(this.#text, parent));
    return this.#splice(pos, pos, this.#ensureLineStart(pos) + block);
  }

  /** Remove the key at path (or the list item, for a numeric last step). Missing: no-op. */
  unsetField(path: Path): this {
    this.#requireParsed();
    if (path.length === 0) throw editError(path, 'cannot remove the whole spec');
    const parentPath = path.slice(0, -1);
    const key = path[path.length - 1]!;
    const parent = this.#nodeAt(parentPath);
    if (typeof key === 'number') {
      if (!isSeq(parent) || key >= parent.items.length) return this;
      return this.removeItem(parentPath, key);
    }
    if (!isMap(parent)) return this;
    const index = parent.items.findIndex((p) => isPair(p) && keyText(p.key) === key);
    if (index < 0) return this;
    if (parent.flow) {
      const obj = parent.toJSON() as Record<string, unknown>;
      delete obj[key];
      return this.setField(parentPath, obj);
    }
    if (parent.items.length === 1) {
      // The map would be empty: an empty map keeps the spec valid where `key:` alone would not.
      if (parentPath.length === 0) return this.#replaceText('');
      return this.setField(parentPath, {});
    }
    const pair = parent.items[index]!;
    const keyNode = pair.key as Node;
    const keyStart = keyNode.range![0];
    const end = pairEnd(this.#text, pair);
    const next = parent.items[index + 1];
    const ls = lineStart(this.#text, keyStart);
    const ownLine = this.#text.slice(ls, keyStart).trim() === '';
    if (!ownLine && next) {
      // First key after `- `: pull the next key up onto this line.
      return this.#splice(keyStart, (next.key as Node).range![0], '');
    }
    return this.#splice(ownLine ? ls : keyStart, this.#lineEndAfter(end), '');
  }

  // ------------------------------------------------------------ internals

  #indexOf(section: ImageSection, which: number | string): number {
    if (typeof which === 'number') return which;
    const list = this.#spec?.[section] ?? (this.#doc.toJS()?.[section] as { name?: string }[] | undefined) ?? [];
    const i = list.findIndex((e) => e?.name === which);
    if (i < 0) throw editError([section], `has no entry named \`${which}\``);
    return i;
  }

  #requireParsed() {
    if (this.#doc.errors.length) {
      throw new SpecError(this.#problems, 'the YAML has syntax errors; fix them before editing through the form');
    }
  }

  #nodeAt(path: Path): Node | null | undefined {
    if (path.length === 0) return this.#doc.contents as Node | null;
    return this.#doc.getIn(path, true) as Node | null | undefined;
  }

  /** 0-based column of an offset. */
  #col(offset: number): number {
    return offset - lineStart(this.#text, offset);
  }

  #lineEndAfter(offset: number): number {
    const nl = this.#text.indexOf('\n', offset);
    return nl < 0 ? this.#text.length : nl + 1;
  }

  #ensureLineStart(pos: number): string {
    return pos > 0 && this.#text[pos - 1] !== '\n' ? '\n' : '';
  }

  /** The lines of a block sequence item, with the comment lines directly above it. */
  #itemBlock(seq: YAMLSeq, index: number): { start: number; end: number } {
    const item = seq.items[index] as Node;
    const dashCol = this.#col(seq.range![0]);
    // The item's node starts after its `- ` and any anchor, tag or comment (`- &base` on a line
    // of its own): walk back to the line that holds the dash.
    let start = lineStart(this.#text, item.range![0]);
    const floor = index > 0 ? valueEnd(this.#text, seq.items[index - 1] as Node) : seq.range![0];
    while (start > floor && !this.#dashAt(start, dashCol)) start = lineStart(this.#text, start - 1);
    for (;;) {
      if (start === 0) break;
      const prevStart = lineStart(this.#text, start - 1);
      const line = this.#text.slice(prevStart, start - 1);
      if (!/^\s*#/.test(line) || line.search(/\S/) !== dashCol) break;
      start = prevStart;
    }
    const end = this.#lineEndAfter(valueEnd(this.#text, item));
    return { start, end };
  }

  /** Whether the line starting at `start` is `<dashCol spaces>-`. */
  #dashAt(start: number, dashCol: number): boolean {
    const line = this.#text.slice(start, start + dashCol + 1);
    return line.length === dashCol + 1 && line.endsWith('-') && line.slice(0, dashCol).trim() === '';
  }

  /** Replace the value node of a pair (or a list item) with a rendering of `value`. */
  #replaceValue(node: Node, value: unknown, keyIndent: number, isItem: boolean, keyNode?: Node): this {
    const start = node.range![0];
    const end = valueEnd(this.#text, node);
    const inlineOld = !isCollection(node) || (node as YAMLMap | YAMLSeq).flow;
    const scalarNew = value === null || typeof value !== 'object' || (Array.isArray(value) && value.length === 0) || (!Array.isArray(value) && Object.keys(value as object).length === 0);
    if (isCollection(node) && node.flow && Array.isArray(value) === isSeq(node) && typeof value === 'object' && value !== null) {
      // A flow list or map stays a flow list or map.
      return this.#splice(start, end, stringify(value, { ...STRINGIFY, collectionStyle: 'flow', flowCollectionPadding: false }).replace(/\n$/, ''));
    }
    if (inlineOld && scalarNew && !(typeof value === 'string' && value.includes('\n'))) {
      // Keep the user's quoting style for strings.
      const rendered = renderInline(value, isScalar(node) ? node.type : undefined);
      if (!(isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED'))) return this.#splice(start, end, rendered);
    }
    if (isItem) {
      // `- <value>`: render a one-item list; its first line (minus the dash) replaces the item,
      // later lines are indented to the dash's column.
      const dashCol = this.#col(this.#text.lastIndexOf('-', start));
      const lines = stringify([value], STRINGIFY).replace(/\n$/, '').split('\n');
      const first = lines[0]!.slice(2);
      const rest = lines.slice(1).map((l) => (l === '' ? l : ' '.repeat(dashCol) + l));
      return this.#splice(start, end, [first, ...rest].join('\n'));
    }
    const colon = this.#text.indexOf(':', keyNode!.range![1]);
    const keyText_ = keyText(keyNode) ?? '';
    return this.#splice(colon + 1, end, renderAfterKey(keyText_, value, keyIndent).replace(/\n$/, ''));
  }

  #splice(start: number, end: number, insert: string): this {
    // New text uses the file's line ending (a Windows-edited spec stays CRLF throughout).
    const text = this.#text.includes('\r\n') ? insert.replace(/\r?\n/g, '\r\n') : insert;
    return this.#replaceText(this.#text.slice(0, start) + text + this.#text.slice(end));
  }

  #replaceText(text: string): this {
    const before = { text: this.#text, doc: this.#doc, spec: this.#spec, problems: this.#problems };
    this.#text = text;
    this.#reparse();
    const broken = (problems: SpecProblem[]) => problems.some((p) => p.severity === 'error' && p.message.startsWith('YAML:'));
    if (broken(this.#problems) && !broken(before.problems)) {
      // e.g. moving an entry with an anchor below the alias that uses it: refuse, keep the text.
      const problems = this.#problems;
      this.#text = before.text;
      this.#doc = before.doc;
      this.#spec = before.spec;
      this.#problems = before.problems;
      throw new SpecError(problems, `this edit would break the YAML (${problems[0]?.message ?? 'syntax error'}); edit the text instead`);
    }
    return this;
  }

  #reparse() {
    const r = parseSpec(this.#text, this.#opts);
    this.#doc = r.doc;
    this.#spec = r.spec;
    this.#problems = r.problems;
  }
}

const STRINGIFY = stringifyOptions;

function editError(path: Path, what: string): SpecError {
  const where = path.length ? path.join('.') : 'the spec';
  return new SpecError([], `cannot edit \`${where}\`: it ${what}`);
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isPair(p) && keyText(p.key) === key) as Pair | undefined;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** End of a node's own text: its range end without the trailing newlines it swallows. */
function valueEnd(text: string, node: Node): number {
  let end = node.range![1];
  while (end > node.range![0] && /\s/.test(text[end - 1]!)) end--;
  return end;
}

function pairEnd(text: string, pair: Pair): number {
  const v = pair.value as Node | null;
  if (v && v.range) return valueEnd(text, v);
  return (pair.key as Node).range![1];
}

/** Indent every line of a rendered block by `indent` spaces. */
function reindent(block: string, indent: number): string {
  const pad = ' '.repeat(indent);
  return block.split('\n').map((l) => (l === '' ? l : pad + l)).join('\n');
}

/** Text that follows `key:` for value, for a key at column keyIndent. */
function renderAfterKey(key: string | number, value: unknown, keyIndent: number): string {
  const rendered = stringify({ [String(key)]: value }, STRINGIFY);
  const firstNl = rendered.indexOf('\n');
  const firstLine = rendered.slice(0, firstNl);
  const rest = rendered.slice(firstNl + 1);
  const colon = firstLine.indexOf(':', firstLine.startsWith('"') || firstLine.startsWith("'") ? firstLine.indexOf(firstLine[0]!, 1) : 0);
  const after = firstLine.slice(colon + 1);
  return after + (rest ? `\n${reindent(rest, keyIndent)}` : '\n');
}

function renderInline(value: unknown, type?: string): string {
  if (typeof value === 'string' && (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE')) {
    return stringify(value, { ...STRINGIFY, defaultStringType: type, defaultKeyType: null }).replace(/\n$/, '');
  }
  return stringify(value, { ...STRINGIFY, flowCollectionPadding: false }).replace(/\n$/, '');
}
