// Option parsing shared by the commands: node:util parseArgs, plus LinuxKit's Go-style single-dash
// long flags (`-format tar`, `-dir out`) so existing `linuxkit build` command lines work unchanged.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command';

export function normaliseFlags(args: string[], options: Record<string, unknown>): string[] {
  return args.map((a) => {
    const m = /^-([a-z][a-z0-9-]+)(=.*)?$/.exec(a);
    return m && m[1]! in options ? `-${a}` : a;
  });
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args: normaliseFlags(args, options), options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Repeatable and comma-separated values: `-f a -f b,c` → [a, b, c]. */
export function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

const BYTE_UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** A byte count as the worker's settings spell it: 4294967296, or with a binary unit: 512M, 4G, 4GiB, 1T. */
export function byteCount(v: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?)?$/i.exec(v.trim());
  const n = m ? Math.floor(Number(m[1]) * BYTE_UNITS[(m[2] ?? '').toLowerCase()]!) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${what} must be a byte count such as 4294967296, 512M or 8G, not "${v}"`);
  return n;
}
