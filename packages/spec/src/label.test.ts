import { describe, expect, it } from 'vitest';
import { parseImageLabel } from './label';
import { formatProblem } from './problems';

describe('parseImageLabel', () => {
  it('reads a JSON label into typed settings', () => {
    expect(parseImageLabel('{"pid":"host","binds":["/var:/var"],"capabilities":["CAP_SYS_ADMIN"]}')).toEqual({
      config: { pid: 'host', binds: ['/var:/var'], capabilities: ['CAP_SYS_ADMIN'] },
      problems: [],
    });
    expect(parseImageLabel(undefined)).toEqual({ config: {}, problems: [] });
  });

  it('reports typos, wrong types, name/image and bad values with positions in the label', () => {
    const r = parseImageLabel('{"name":"x","capabilites":["CAP_SYS_ADMIN"],"readonly":"true","binds":["/var"]}', { location: 'linuxkit/sshd:v1' });
    expect(r.config).toBeUndefined();
    expect(r.problems.map(formatProblem)).toEqual([
      'linuxkit/sshd:v1:1:2: `name` cannot be set in the org.mobyproject.config label',
      'linuxkit/sshd:v1:1:13: `capabilites` is not a field of the `org.mobyproject.config` label; did you mean `capabilities`?',
      'linuxkit/sshd:v1:1:56: `readonly` must be `true` or `false`, not a string ("true"); write `true` or `false` without quotes',
    ]);
    expect(parseImageLabel('{"binds":["/var"]}').problems.map(formatProblem)).toEqual([
      '1:11: bind `/var` must be `source:destination[:options]`, e.g. `/var/log:/var/log:ro`',
    ]);
  });
});

describe('parseImageLabel: hostile labels', () => {
  it('refuses an alias bomb in an image label with a problem instead of throwing', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const r = parseImageLabel(lines.join('\n'), { location: 'evil/image:1' });
    expect(r.config).toBeUndefined();
    expect(r.problems[0]).toMatchObject({ file: 'evil/image:1', severity: 'error' });
    expect(r.problems[0]!.message).toMatch(/label cannot be read: .*alias/i);
  });
});
