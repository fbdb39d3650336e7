// The build cache key: equal keys give byte-identical artifacts (the engine is reproducible), so
// a succeeded build with the same key can hand its artifacts to a new build at once.

import { createHash } from 'node:crypto';

export function buildCacheKey(input: { resolvedSpec: string; formats: string[]; engineVersion: string; arch?: string }): string {
  // Formats are a set: order does not change what is written. Keep the fields in a fixed order.
  const formats = [...new Set(input.formats)].sort();
  const doc = JSON.stringify({ v: 1, engine: input.engineVersion, arch: input.arch ?? 'amd64', formats, spec: input.resolvedSpec });
  return createHash('sha256').update(doc).digest('hex');
}
