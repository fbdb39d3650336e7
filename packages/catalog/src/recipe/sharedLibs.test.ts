import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FsEntry } from '@oscompose/engine';
import { missingLibraries, neededLibraries } from './sharedLibs';

// The test runner's own node binary is a dynamically linked ELF64 at hand on every machine.
const node = readFileSync(process.execPath);

describe('shared library check', () => {
  it('reads DT_NEEDED from a real program', () => {
    expect(neededLibraries(node)).toContain('libc.so.6');
    expect(neededLibraries(Buffer.from('#!/bin/sh\n'))).toBeUndefined();
  });

  it('names the program and the library an image lacks, and is satisfied once it is there', () => {
    const file = (path: string, content: Buffer, mode = 0o755): FsEntry => ({ path, type: 'file', mode, uid: 0, gid: 0, size: content.length, content });
    const needed = neededLibraries(node)!;
    const without = [file('usr/bin/node', node)];
    expect(missingLibraries(without)).toContain('usr/bin/node needs libc.so.6');
    const withLibs = [...without, ...needed.map((l) => file(`lib/x86_64-linux-gnu/${l}`, Buffer.from('stub'), 0o644))];
    expect(missingLibraries(withLibs)).toEqual([]);
  });

  it.runIf(existsSync('/bin/busybox'))('a static program needs nothing', () => {
    // Debian's busybox package is dynamic, busybox-static is not; either way no throw.
    expect(() => neededLibraries(readFileSync('/bin/busybox'))).not.toThrow();
  });
});
