import { describe, expect, it } from 'vitest';
import * as engine from './index';
import * as testing from './testing/index';

describe('the public index', () => {
  it('exports no test fixture: those are in @oscompose/engine/testing', () => {
    for (const name of ['makeImage', 'makeIndex', 'memoryImages', 'startRedirectProxy', 'ociArchiveFiles']) {
      expect(Object.keys(engine), name).not.toContain(name);
      expect(Object.keys(testing), name).toContain(name);
    }
    // Services every package's tests share (a registry, a free port) live in @oscompose/queue/testing.
    for (const name of ['startRegistry', 'freePort']) expect(Object.keys(engine), name).not.toContain(name);
    // Production pushes (the web app's mirror, the catalog build) use the real pusher.
    expect(typeof engine.pushImage).toBe('function');
  });
});
