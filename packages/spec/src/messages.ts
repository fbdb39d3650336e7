// Turn zod issues into messages that name the field, its owner and the fix, e.g.
// "`capabilites` is not a field of a service; did you mean `capabilities`?".
import type { z } from 'zod';
import { fieldsAt } from './fields';
import { LABEL_ROOT } from './labelRoot';

type Path = readonly (string | number)[];

/** "a service", "the kernel", "a mount of runtime" … for the map at path. */
export function ownerName(path: Path): string {
  if (path.length === 0) return 'the spec';
  if (path.length === 1 && path[0] === LABEL_ROOT) return 'the `org.mobyproject.config` label';
  const [top] = path;
  if (path.length === 1 && top === 'kernel') return 'the kernel';
  if (path.length === 1 && top === 'trust') return '`trust`';
  if (path.length === 2 && typeof path[1] === 'number') {
    switch (top) {
      case 'onboot': return 'an onboot image';
      case 'onshutdown': return 'an onshutdown image';
      case 'services': return 'a service';
      case 'files': return 'a file';
      case 'volumes': return 'a volume';
    }
  }
  const last = path[path.length - 1];
  const parentKey = lastKey(path.slice(0, -1));
  if (typeof last === 'number') {
    const singular: Record<string, string> = {
      mounts: 'a mount', devices: 'a device', interfaces: 'an interface', uidMappings: 'a uid mapping',
      gidMappings: 'a gid mapping', uidmappings: 'a uid mapping', gidmappings: 'a gid mapping',
      weightDevice: 'a weight device', hugepageLimits: 'a hugepage limit', priorities: 'a priority',
    };
    if (parentKey && parentKey in singular) return singular[parentKey]!;
    if (parentKey === 'devices' || parentKey?.startsWith('throttle')) return 'a device entry';
    return `an item of \`${parentKey}\``;
  }
  return `\`${last}\``;
}

export function lastKey(path: Path): string | undefined {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return path[i] as string;
  return undefined;
}

/** Name of the value at path as the user wrote it: `readonly`, or "item 2 of `command`". */
export function valueName(path: Path): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the spec';
  if (typeof last === 'number') return `item ${last + 1} of \`${lastKey(path) ?? 'the list'}\``;
  return `\`${last}\``;
}

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)})`;
  if (typeof v === 'number') return Number.isInteger(v) ? `a number (${v})` : `a fractional number (${v})`;
  if (typeof v === 'boolean') return `${v}`;
  return typeof v;
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'string': return 'a string';
    case 'number': case 'int': return 'an integer';
    case 'boolean': return '`true` or `false`';
    case 'array': return 'a list';
    case 'object': case 'record': return 'a map';
    default: return expected;
  }
}

/** Edit distance, for did-you-mean. */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const same = candidates.find((c) => c.toLowerCase() === lower);
  if (same) return same;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dd = distance(lower, c.toLowerCase());
    if (dd < bestD) { best = c; bestD = dd; }
  }
  // Short words: one edit at most, and never a full replacement ("x" is not a typo of "c").
  const limit = word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestD <= limit && bestD < word.length ? best : undefined;
}

export function unknownKeyMessage(key: string, ownerPath: Path): string {
  const fields = fieldsAt(ownerPath);
  const hint = suggest(key, fields);
  const base = `\`${key}\` is not a field of ${ownerName(ownerPath)}`;
  if (hint) return `${base}; did you mean \`${hint}\`?`;
  return fields.length ? `${base}; its fields are ${fields.map((f) => `\`${f}\``).join(', ')}` : base;
}

/** The message for one zod issue (unknown keys are handled per key by the caller). */
export function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path as (string | number)[];
  const name = valueName(path);
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) {
        return `${ownerName(path.slice(0, -1))} needs \`${String(path[path.length - 1])}\``;
      }
      if (path.length === 0) return 'a spec is a map of sections (`kernel`, `init`, `onboot`, `services`, `files` …), not ' + describeValue(input);
      const key = lastKey(path);
      if (issue.expected === 'string' && (key === 'mode') && typeof input === 'number') {
        // YAML reads 0644 as a number (644 or 420, depending on the YAML version): never what was meant.
        return '`mode` must be an octal string in quotes, e.g. `"0644"`';
      }
      let fix = '';
      if (issue.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) fix = '; put it in quotes';
      else if (issue.expected === 'array' && (typeof input === 'string' || typeof input === 'number')) fix = `; write it as a list, e.g. \`[${typeof input === 'string' ? input : String(input)}]\``;
      else if (issue.expected === 'boolean' && typeof input === 'string') fix = '; write `true` or `false` without quotes';
      else if ((issue.expected === 'number' || issue.expected === 'int') && typeof input === 'string' && /^-?\d+$/.test(input)) fix = '; remove the quotes';
      if (input === null) fix = typeof path[path.length - 1] === 'number' ? '; give it a value or remove the `-` line' : '; give it a value or remove the key';
      return `${name} must be ${expectedName(issue.expected)}, not ${describeValue(input)}${fix}`;
    }
    case 'invalid_union':
      return `${name} must be a number or a name, not ${describeValue(input)}`;
    case 'invalid_value': {
      const values = issue.values.map(String);
      const hint = typeof input === 'string' ? suggest(input, values) : undefined;
      return `${name} must be ${values.length === 1 ? '' : 'one of '}${values.map((v) => `\`${v}\``).join(', ')}, not ${describeValue(input)}${hint ? `; did you mean \`${hint}\`?` : ''}`;
    }
    case 'invalid_format':
      // The only patterns in the schema are octal modes.
      return `${name} must be an octal string like \`"0644"\`, not \`${String(input)}\``;
    case 'too_small':
      if (issue.origin === 'string') return `${name} must not be empty`;
      return `${name} is too small (minimum ${String(issue.minimum)})`;
    case 'too_big':
      return `${name} is too big (maximum ${String(issue.maximum)})`;
    default:
      return `${name}: ${issue.message}`;
  }
}
