// The build cache key: equal keys give byte-identical artifacts (the engine is reproducible), so
// a succeeded build with the same key can hand its artifacts to a new build at once.

import { createHash } from 'node:crypto';

export function buildCacheKey(input: { resolvedSpec: string; formats: string[]; engineVersion: string; arch?: string; name: string }): string {
  // Formats are a set: order does not change what is written. Keep the fields in a fixed order.
  // The base name is part of it: it names the files, and disk formats seed their ids with it.
  const formats = [...new Set(input.formats)].sort();
  const doc = JSON.stringify({ v: 2, engine: input.engineVersion, arch: input.arch ?? 'amd64', formats, name: input.name, spec: input.resolvedSpec });
  return createHash('sha256').update(doc).digest('hex');
}
