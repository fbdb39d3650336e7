import { describe, expect, it } from 'vitest';
import { parseSpec } from './parse';
import { SpecError, formatProblem, formatProblems } from './problems';
import { suggest } from './messages';

describe('parseSpec', () => {
  it('an empty file is an empty spec, as for linuxkit build', () => {
    expect(parseSpec('')).toMatchObject({ spec: {}, problems: [] });
    expect(parseSpec('# only a comment\n')).toMatchObject({ spec: {}, problems: [] });
  });

  it('problems carry file, 1-based start and end, path and severity', () => {
    const r = parseSpec('services:\n  - name: a\n    image: b\n    readonly: "yes"\n', { file: 'x.yml' });
    expect(r.problems).toEqual([{
      file: 'x.yml', line: 4, col: 15, endLine: 4, endCol: 20, path: ['services', 0, 'readonly'],
      message: '`readonly` must be `true` or `false`, not a string ("yes"); write `true` or `false` without quotes', severity: 'error',
    }]);
    expect(formatProblems(r.problems)).toBe('x.yml:4:15: `readonly` must be `true` or `false`, not a string ("yes"); write `true` or `false` without quotes');
  });

  it('a warning alone still gives the spec', () => {
    const r = parseSpec('trust:\n  org: [linuxkit]\n');
    expect(r.spec).toEqual({ trust: { org: ['linuxkit'] } });
    expect(r.problems.map(formatProblem)).toEqual(['1:1: warning: `trust` (Docker content trust) is obsolete and ignored; pin images by digest instead']);
  });

  it('several documents in one file are an error', () => {
    const r = parseSpec('kernel: {}\n---\ninit: []\n');
    expect(r.spec).toBeUndefined();
    expect(r.problems[0]?.message).toMatch(/^YAML: /);
  });

  it('keeps the Document for the edit API', () => {
    const r = parseSpec('# hi\ninit: [a]\n');
    expect(r.doc.toString()).toBe('# hi\ninit: [ a ]\n');
  });

  it('suggests the closest field, ignoring case', () => {
    expect(suggest('capabilites', ['capabilities', 'ambient'])).toBe('capabilities');
    expect(suggest('BlockIO', ['blockio'])).toBe('blockio');
    expect(suggest('zzzz', ['capabilities'])).toBeUndefined();
  });

  it('SpecError lists the problems in its message', () => {
    const r = parseSpec('kernel:\n  imag: x\n', { file: 'k.yml' });
    const e = new SpecError(r.problems);
    expect(e.message).toBe('invalid spec:\nk.yml:2:3: `imag` is not a field of the kernel; did you mean `image`?');
    expect(e.problems).toBe(r.problems);
  });
});
