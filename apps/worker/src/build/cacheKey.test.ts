import { describe, expect, it } from 'vitest';
import { buildCacheKey } from './cacheKey';

describe('buildCacheKey', () => {
  const base = { resolvedSpec: 'kernel:\n  image: k@sha256:aa\n', formats: ['kernel+initrd', 'tar'], engineVersion: '0.1.0', name: 'linuxkit' };
  it('ignores format order and duplicates', () => {
    expect(buildCacheKey(base)).toBe(buildCacheKey({ ...base, formats: ['tar', 'kernel+initrd', 'tar'] }));
  });
  it('changes with the resolved spec, the formats, the engine version and the artifact name', () => {
    const k = buildCacheKey(base);
    expect(buildCacheKey({ ...base, resolvedSpec: base.resolvedSpec + '# x\n' })).not.toBe(k);
    expect(buildCacheKey({ ...base, formats: ['tar'] })).not.toBe(k);
    expect(buildCacheKey({ ...base, engineVersion: '0.1.1' })).not.toBe(k);
    expect(buildCacheKey({ ...base, name: 'other' })).not.toBe(k);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
  });
});
