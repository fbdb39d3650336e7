import { describe, expect, it } from 'vitest';
import { consoleLines, consoleQuery, highlight, verdictTone, whenMet } from './bootReport';

describe('build page boot check helpers', () => {
  it('gives each of the four verdicts its own colour', () => {
    expect(new Set(['failed', 'booted', 'verified', 'not checked'].map((v) => verdictTone(v as never))).size).toBe(4);
    expect(verdictTone('failed')).toBe('danger');
    expect(verdictTone('verified')).toBe('success');
  });

  it('says when a met expectation was seen, and nothing for an unmet one', () => {
    expect(whenMet({ kind: 'console', expectation: 'hello', met: true, line: { n: 141, text: 'hello', atMs: 3240 }, atMs: 3240 })).toBe('at 3.2 s, line 141');
    expect(whenMet({ kind: 'http', expectation: 'HTTP / on guest port 80 answers 200', met: true, atMs: 5000 })).toBe('at 5.0 s');
    expect(whenMet({ kind: 'console', expectation: 'never', met: false, detail: 'no console line matched' })).toBeNull();
  });

  it('numbers console lines as the verdict does (escapes and CR gone, no phantom last line)', () => {
    expect(consoleLines('a\r\n\x1b[1;32mgreen\x1b[0m\r\n\nlast')).toEqual(['a', 'green', '', 'last']);
    expect(consoleLines('one\ntwo\n')).toEqual(['one', 'two']);
    expect(consoleLines('')).toEqual([]);
  });

  it('searches text case-insensitively and /regex/ like an expectation, refusing a bad one', () => {
    const text = consoleQuery('PANIC')!;
    if (!text.ok) throw new Error(text.error);
    expect(text.test('Kernel panic - not syncing')).toBe(true);
    expect(text.ranges('panic, panic')).toEqual([[0, 5], [7, 12]]);
    const re = consoleQuery('/exit \\d+/')!;
    if (!re.ok) throw new Error(re.error);
    expect(re.test('onboot hello exit 0')).toBe(true);
    expect(re.ranges('exit 0 then exit 12')).toEqual([[0, 6], [12, 19]]);
    expect(consoleQuery('/[a/')).toMatchObject({ ok: false, error: expect.stringContaining('not a valid regular expression') });
    expect(consoleQuery('')).toBeNull();
  });

  it('cuts a line into plain and highlighted parts', () => {
    expect(highlight('say hello world', [[4, 9]])).toEqual([{ text: 'say ', match: false }, { text: 'hello', match: true }, { text: ' world', match: false }]);
    expect(highlight('', [])).toEqual([{ text: '', match: false }]);
  });
});
