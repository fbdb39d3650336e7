// JSON text exactly as Go's encoding/json MarshalIndent(v, "", "    ") writes it, so config.json
// and runtime.json are byte-identical to what `linuxkit build` puts in the root filesystem.
// Callers build plain objects with keys in Go struct field order and leave out omitempty fields.

/** A number written verbatim (uint64 values such as RLIMIT_INFINITY do not fit a JS number). */
export class GoNumber {
  constructor(readonly text: string) {}
}

export type GoValue = string | number | boolean | null | GoNumber | GoMap | GoValue[] | { [key: string]: GoValue | undefined };

/** Go escapes <, > and & (HTML safety) and U+2028/U+2029 on top of what JSON requires. */
function goString(s: string): string {
  return JSON.stringify(s)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Go marshals maps with their keys sorted bytewise; struct-like objects keep insertion order. */
export class GoMap {
  constructor(readonly entries: Record<string, GoValue>) {}
}

export function marshalIndent(value: GoValue, indent = '    '): string {
  return write(value, '', indent);
}

function write(v: GoValue | undefined, prefix: string, indent: string): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof GoNumber) return v.text;
  if (v instanceof GoMap) {
    const keys = Object.keys(v.entries).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return writeObject(keys.map((k) => [k, v.entries[k]!]), prefix, indent);
  }
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const inner = prefix + indent;
    return `[\n${v.map((x) => inner + write(x, inner, indent)).join(',\n')}\n${prefix}]`;
  }
  const pairs = Object.entries(v).filter(([, x]) => x !== undefined) as [string, GoValue][];
  return writeObject(pairs, prefix, indent);
}

function writeObject(pairs: [string, GoValue][], prefix: string, indent: string): string {
  if (pairs.length === 0) return '{}';
  const inner = prefix + indent;
  return `{\n${pairs.map(([k, x]) => `${inner}${goString(k)}: ${write(x, inner, indent)}`).join(',\n')}\n${prefix}}`;
}
