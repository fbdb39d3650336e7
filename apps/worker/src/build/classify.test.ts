import { describe, expect, it } from 'vitest';
import { UserError, classifyFailure } from './classify';

const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name }, extra);

describe('classifyFailure', () => {
  it('retries network failures and a registry that is down or overloaded', () => {
    expect(classifyFailure(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifyFailure(named('RegistryError', { status: 503 }))).toBe('transient');
    expect(classifyFailure(named('RegistryError', { status: 429 }))).toBe('transient');
    expect(classifyFailure(new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }))).toBe('transient');
  });

  it('does not retry what the user must fix', () => {
    expect(classifyFailure(named('SpecError'))).toBe('user');
    expect(classifyFailure(named('RegistryError', { status: 404 }))).toBe('user');
    expect(classifyFailure(named('RegistryError', { status: 401 }))).toBe('user');
    expect(classifyFailure(named('ArchiveError'))).toBe('user');
    expect(classifyFailure(named('RegistryError', { code: 'not-found' }))).toBe('user');
    expect(classifyFailure(named('RegistryError', { code: 'network' }))).toBe('transient');
    expect(classifyFailure(new UserError('unknown format'))).toBe('user');
  });

  it('reports cancellation when the signal was aborted', () => {
    const ac = new AbortController();
    ac.abort();
    expect(classifyFailure(new Error('whatever'), ac.signal)).toBe('canceled');
    expect(classifyFailure(named('AbortError'))).toBe('canceled');
  });
});
