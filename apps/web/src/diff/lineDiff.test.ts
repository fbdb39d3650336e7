import { describe, expect, it } from 'vitest';
import { diffStats, lineDiff } from './lineDiff';

describe('lineDiff', () => {
  it('marks added and removed lines and keeps the common ones in order', () => {
    const d = lineDiff('kernel:\n  image: k:1\nservices:\n  - name: a\n', 'kernel:\n  image: k:2\nservices:\n  - name: a\n  - name: b\n');
    expect(d.map((l) => `${l.kind[0]}${l.text}`)).toEqual(['skernel:', 'r  image: k:1', 'a  image: k:2', 'sservices:', 's  - name: a', 'a  - name: b']);
    expect(diffStats(d)).toEqual({ added: 2, removed: 1 });
  });

  it('is all "same" for equal texts', () => {
    expect(lineDiff('a\nb\n', 'a\nb\n').every((l) => l.kind === 'same')).toBe(true);
  });
});
