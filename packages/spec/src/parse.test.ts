import { describe, expect, it } from 'vitest';
import { MAX_SPEC_BYTES, parseSpec } from './parse';
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

describe('parseSpec: hostile input', () => {
  /** The classic "billion laughs": ten levels of nine aliases each, 10^9 strings when expanded. */
  const billionLaughs = () => {
    const lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 10; i++) lines.push(`lol${i}: &lol${i} [${Array(9).fill(`*lol${i - 1}`).join(', ')}]`);
    return ['kernel:', '  image: linuxkit/kernel:6.6.13', '  cmdline: console=ttyS0', ...lines].join('\n') + '\n';
  };

  it('refuses an alias bomb with a problem at the first alias, without expanding it', () => {
    const heap = process.memoryUsage().heapUsed;
    const r = parseSpec(billionLaughs());
    // Expanding it would take gigabytes; refusing it takes next to nothing.
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 2 ** 20);
    expect(r.spec).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ line: 5, severity: 'error' });
    expect(r.problems[0]!.message).toMatch(/aliases .* expand to more than 100 copies .*alias bomb.*write the values out/);
  });

  it('refuses a bomb made of merge keys the same way', () => {
    const lines = ['base: &m0 {a: 1, b: 2}'];
    for (let i = 1; i < 10; i++) lines.push(`m${i}: &m${i}`, `  <<: [${Array(9).fill(`*m${i - 1}`).join(', ')}]`);
    const r = parseSpec(lines.join('\n') + '\n');
    expect(r.spec).toBeUndefined();
    expect(r.problems[0]!.message).toMatch(/alias bomb/);
  });

  it('still reads a spec that uses a few aliases', () => {
    const r = parseSpec('kernel:\n  image: linuxkit/kernel:6.6.13\n  cmdline: &c console=ttyS0\ninit:\n  - &i linuxkit/init:v1.0.0\nonboot:\n  - name: x\n    image: *i\n    command: [*c]\n');
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(r.spec?.onboot?.[0]?.image).toBe('linuxkit/init:v1.0.0');
  });

  it('refuses a spec over 1 MiB before parsing it, saying what to do', () => {
    const big = 'kernel:\n  image: linuxkit/kernel:6.6.13\nfiles:\n  - path: etc/big\n    contents: "' + 'x'.repeat(MAX_SPEC_BYTES) + '"\n';
    const r = parseSpec(big, { file: 'big.yml' });
    expect(r.spec).toBeUndefined();
    expect(r.problems).toEqual([
      expect.objectContaining({ file: 'big.yml', line: 1, col: 1, severity: 'error', message: expect.stringMatching(/^the spec is \d+ bytes, more than the 1048576 bytes \(1 MiB\) a spec may have; put large file contents into an image/) }),
    ]);
    // Bytes, not characters: 600 Ki two-byte characters are 1.2 MB.
    expect(parseSpec(`x: "${'é'.repeat(600 * 1024)}"`).problems[0]!.message).toMatch(/more than the 1048576 bytes/);
  });

  it('refuses nesting too deep for the parser with a problem, not a crash', () => {
    const r = parseSpec('kernel: ' + '['.repeat(100_000) + ']'.repeat(100_000) + '\n');
    expect(r.spec).toBeUndefined();
    expect(r.problems[0]!.message).toMatch(/nested too deeply/);
  });
});
