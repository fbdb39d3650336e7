import { describe, expect, it } from 'vitest';
import { BootExpectationsSchema } from '@oscompose/bootcheck/expectations';
import { EMPTY_BOOT_CHECK_FORM, describeExpectations, describeRequested, expectationsAsLines, expectationsFromForm, expectationsKey, formFromExpectations, type BootCheckForm } from './bootCheckForm';

const form = (f: Partial<BootCheckForm>): BootCheckForm => ({ ...EMPTY_BOOT_CHECK_FORM, ...f });

describe('boot check form ↔ BootExpectations', () => {
  it('an empty form asks for nothing (null), so a clean handover is booted', () => {
    expect(expectationsFromForm(EMPTY_BOOT_CHECK_FORM)).toEqual({ ok: true, value: null });
    expect(expectationsFromForm(form({ expect: '\n   \n' }))).toEqual({ ok: true, value: null });
    expect(describeExpectations(null)).toBe('booted means the kernel handed over to init and nothing panicked');
  });

  it('turns every field into the API shape, one expectation a line, trimmed, blanks dropped', () => {
    const r = expectationsFromForm(form({ expect: 'hello from onboot\n\n  /sshd.*listening/i  \n', httpPort: ' 80', httpPath: '/healthz', httpExpect: 'ok', timeoutSeconds: '90', untilPoweroff: true }));
    expect(r).toEqual({ ok: true, value: { expect: ['hello from onboot', '/sshd.*listening/i'], http: { port: 80, path: '/healthz', expect: 'ok' }, timeoutSeconds: 90, untilPoweroff: true } });
    if (!r.ok || !r.value) throw new Error('unreachable');
    expect(BootExpectationsSchema.parse(r.value)).toEqual(r.value);
    expect(describeExpectations(r.value)).toBe('verified when: 2 console lines, HTTP :80/healthz, powers off, within 90 s');
  });

  it('round-trips what is stored with a composition version', () => {
    const stored = { expect: ['a', '/b+/'], http: { port: 8080 }, timeoutSeconds: 30 };
    const f = formFromExpectations(stored);
    expect(f).toEqual(form({ expect: 'a\n/b+/', httpPort: '8080', timeoutSeconds: '30' }));
    expect(expectationsFromForm(f)).toEqual({ ok: true, value: stored });
    expect(formFromExpectations(null)).toEqual(EMPTY_BOOT_CHECK_FORM);
    // A time limit alone is kept (it bounds the boot) but asks for nothing beyond a boot.
    expect(expectationsFromForm(form({ timeoutSeconds: '60' }))).toEqual({ ok: true, value: { timeoutSeconds: 60 } });
    expect(describeExpectations({ timeoutSeconds: 60 })).toBe('booted means the kernel handed over to init and nothing panicked, within 60 s');
  });

  it('names the textarea line of a bad regular expression, as the schema words it', () => {
    const r = expectationsFromForm(form({ expect: 'fine\n\n/[a/\n/(a+)+/' }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.field, p.line])).toEqual([['expect', 3], ['expect', 4]]);
    expect(r.problems[0]!.message).toBe('line 3: /[a/: not a valid regular expression (Unterminated character class)');
    expect(r.problems[1]!.message).toMatch(/^line 4: \/\(a\+\)\+\/: a repeated group that itself repeats/);
  });

  it('refuses what the API would refuse: too long, too many, bad port, path, time limit', () => {
    const problems = (f: Partial<BootCheckForm>) => {
      const r = expectationsFromForm(form(f));
      return r.ok ? [] : r.problems.map((p) => `${p.field}: ${p.message}`);
    };
    expect(problems({ expect: 'x'.repeat(301) })).toEqual(['expect: line 1: an expectation is at most 300 characters']);
    expect(problems({ expect: Array.from({ length: 21 }, (_, i) => `line ${i}`).join('\n') })).toEqual(['expect: at most 20 expectations']);
    expect(problems({ httpPath: '/x' })).toEqual(['httpPort: the HTTP check needs the guest port']);
    expect(problems({ httpPort: 'eighty' })).toEqual(['httpPort: the port is a whole number (1–65535)']);
    expect(problems({ httpPort: '70000' })).toEqual(['httpPort: the port is 1–65535']);
    expect(problems({ httpPort: '80', httpPath: 'healthz' })).toEqual(['httpPath: path starts with /']);
    expect(problems({ timeoutSeconds: '2' })).toEqual(['timeoutSeconds: the time limit is 5–1800 seconds']);
    expect(problems({ timeoutSeconds: '1.5' })).toEqual(['timeoutSeconds: the time limit is a whole number of seconds']);
  });

  it('compares expectations canonically (what makes the composer say "unsaved changes")', () => {
    expect(expectationsKey(null)).toBe(expectationsKey({}));
    expect(expectationsKey({ expect: [] })).toBe(expectationsKey(null));
    expect(expectationsKey({ expect: ['a'] })).not.toBe(expectationsKey(null));
  });
});

describe('what the build page says was asked', () => {
  it('names what was expected, or what booted means when nothing was', () => {
    expect(describeRequested({ expect: ['a'], http: { port: 8080, path: '/x' }, timeoutSeconds: 30 })).toBe('Expected: 1 console line, HTTP :8080/x, within 30 s.');
    expect(describeRequested(null)).toBe('Nothing expected beyond a boot: booted means the kernel handed over to init and nothing panicked.');
    // Our init's containers are always judged, so a build with nothing asked can still be verified.
    expect(describeRequested(null, { ourInit: true })).toBe('Nothing else asked: with our init, every onboot container must exit 0 and every service start.');
    expect(describeRequested({ expect: ['a', 'b'] }, { ourInit: true })).toBe('Expected: 2 console lines. With our init, every onboot container must also exit 0 and every service start.');
  });
});

describe('expectations as lines (the history diff)', () => {
  it('one fact a line, nothing for none', () => {
    expect(expectationsAsLines({ expect: ['a', '/b/'], http: { port: 80, expect: 'ok' }, timeoutSeconds: 90, untilPoweroff: true })).toBe('expect: a\nexpect: /b/\nhttp: port 80, path /, body contains "ok"\ntime limit: 90 s\nwait until it powers off\n');
    expect(expectationsAsLines(null)).toBe('');
    expect(expectationsAsLines({ expect: [] })).toBe('');
  });
});
