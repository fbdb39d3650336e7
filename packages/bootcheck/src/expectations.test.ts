import { describe, expect, it } from 'vitest';
import { expectationsFromColumn, expectationsToColumn } from './expectations';

describe('the stored form of boot expectations', () => {
  it('is canonical JSON that reads back as written, null when nothing is asked', () => {
    const text = expectationsToColumn({ expect: ['hello'], http: undefined, untilPoweroff: false, timeoutSeconds: 60 });
    expect(text).toBe('{"expect":["hello"],"timeoutSeconds":60}');
    expect(expectationsFromColumn(text)).toEqual({ expect: ['hello'], timeoutSeconds: 60 });
    expect(expectationsToColumn({ expect: [] })).toBeNull();
    expect(expectationsToColumn(null)).toBeNull();
  });

  it('reads an empty, unreadable or no longer valid column as none', () => {
    expect(expectationsFromColumn(null)).toBeNull();
    expect(expectationsFromColumn('')).toBeNull();
    expect(expectationsFromColumn('{not json')).toBeNull();
    expect(expectationsFromColumn('{"expect":["x"],"retired":true}')).toBeNull();
  });
});
