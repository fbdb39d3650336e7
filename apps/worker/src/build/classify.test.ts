import { describe, expect, it } from 'vitest';
import { LimitError, RegistryError, ReferenceError as EngineReferenceError, ArchiveError } from '@oscompose/engine';
import { SpecError } from '@oscompose/spec';
import { UserError, classifyFailure, failureMessage } from './classify';
import { wallTimeError } from './limits';

const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name }, extra);

describe('classifyFailure', () => {
  it('retries network failures, a registry that is down or overloaded, a store or database having a bad moment', () => {
    expect(classifyFailure(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifyFailure(named('RegistryError', { status: 503 }))).toBe('transient');
    expect(classifyFailure(named('RegistryError', { status: 429 }))).toBe('transient');
    expect(classifyFailure(new RegistryError('r/x:1', 'server', 'registry answered 502', { status: 502 }))).toBe('transient');
    expect(classifyFailure(new RegistryError('r/x:1', 'network', 'cannot reach registry'))).toBe('transient');
    expect(classifyFailure(new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }))).toBe('transient');
    expect(classifyFailure(named('StorageError', { code: 'unavailable' }))).toBe('transient');
    expect(classifyFailure(named('PrismaClientKnownRequestError', { code: 'P1001' }))).toBe('transient');
    expect(classifyFailure(named('PrismaClientKnownRequestError', { code: 'P2034' }))).toBe('transient');
    expect(classifyFailure(named('PrismaClientInitializationError'))).toBe('transient');
    expect(classifyFailure(new Error('SqliteError: database is locked'))).toBe('transient');
    expect(classifyFailure(new Error('Connection is closed.'))).toBe('transient');
  });

  it('does not retry what the user must fix', () => {
    expect(classifyFailure(new SpecError([{ line: 1, col: 1, endLine: 1, endCol: 2, path: [], message: 'bad', severity: 'error' }]))).toBe('user');
    expect(classifyFailure(new RegistryError('r/x:1', 'not-found', 'not found (404)', { status: 404 }))).toBe('user');
    expect(classifyFailure(named('RegistryError', { status: 401 }))).toBe('user');
    expect(classifyFailure(named('RegistryError', { code: 'denied', status: 403 }))).toBe('user');
    expect(classifyFailure(new RegistryError('r/x:1', 'platform', 'no linux/amd64 image'))).toBe('user');
    expect(classifyFailure(new ArchiveError('path traversal'))).toBe('user');
    expect(classifyFailure(new LimitError('image-bytes', 10, 'too big'))).toBe('user');
    expect(classifyFailure(new EngineReferenceError('invalid reference "UPPER"'))).toBe('user');
    expect(classifyFailure(named('BuildError'))).toBe('user');
    expect(classifyFailure(named('LayoutError'))).toBe('user');
    expect(classifyFailure(Object.assign(new Error('refused'), { kind: 'user' }))).toBe('user');
    expect(classifyFailure(new UserError('unknown format'))).toBe('user');
    // A user error wrapped by something generic is still the user's.
    expect(classifyFailure(new Error('section failed', { cause: new ArchiveError('bad layer') }))).toBe('user');
  });

  it('does not retry an error nobody recognises (a bug): it is internal', () => {
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe('internal');
    expect(classifyFailure(new ReferenceError('foo is not defined'))).toBe('internal');
    expect(classifyFailure(new Error('something odd'))).toBe('internal');
    expect(classifyFailure('a string')).toBe('internal');
    expect(classifyFailure(named('PrismaClientKnownRequestError', { code: 'P2002' }))).toBe('internal');
  });

  it('reports cancellation when the signal was aborted, and a limit when a limit aborted it', () => {
    const ac = new AbortController();
    ac.abort();
    expect(classifyFailure(new Error('whatever'), ac.signal)).toBe('canceled');
    expect(classifyFailure(named('AbortError'))).toBe('canceled');
    const timed = new AbortController();
    timed.abort(wallTimeError(5));
    expect(classifyFailure(named('BuildError', { message: 'build cancelled' }), timed.signal)).toBe('user');
  });
});

describe('failureMessage', () => {
  it('names the limit and its setting', () => {
    const timed = new AbortController();
    timed.abort(wallTimeError(5));
    expect(failureMessage(new Error('build cancelled'), timed.signal)).toBe(
      'Build limit exceeded (OSCOMPOSE_BUILD_MAX_SECONDS = 5 seconds): the build ran for more than 5 s (the limit per build) and was stopped. Build fewer formats at once, or a smaller system, or ask the operator to raise OSCOMPOSE_BUILD_MAX_SECONDS.',
    );
    const bomb = new LimitError('image-bytes', 4 * 2 ** 30, 'the image decompresses to more than 4294967296 bytes', { layerDigest: 'sha256:ab' });
    expect(failureMessage(bomb)).toMatch(/^Build limit exceeded \(OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES = 4 GiB\): layer sha256:ab: the image decompresses .* raise OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES\.$/);
  });

  it('passes user messages on and says an internal error is not the spec', () => {
    expect(failureMessage(new RegistryError('r/x:1', 'not-found', 'not found (404)'))).toBe('r/x:1: not found (404)');
    expect(failureMessage(new TypeError('x is undefined'))).toBe(
      'Internal error in the worker (TypeError: x is undefined). This is not a problem with your spec and was not retried; the worker log has the details.',
    );
  });
});
