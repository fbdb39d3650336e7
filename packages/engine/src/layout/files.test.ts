import { describe, expect, it } from 'vitest';
import type { FileConfig } from '@oscompose/spec';
import { filesEntries, goDir } from './files';

// Pins LinuxKit's moby/build/build.go filesystem(): default modes, parent directories, owners.
async function run(files: FileConfig[], sources: Record<string, string> = {}) {
  const entries = await filesEntries({
    files,
    idMap: new Map([['getty', 100], ['sshd', 101]]),
    readSource: (s) => (s in sources ? Buffer.from(sources[s]!) : undefined),
    metadata: (fmt) => Buffer.from(`meta:${fmt}`),
  });
  return entries.map((e) => ({ path: e.path, type: e.type, mode: e.mode.toString(8), uid: e.uid, gid: e.gid, ...(e.linkname ? { linkname: e.linkname } : {}), ...(e.content ? { content: String(e.content) } : {}) }));
}

describe('goDir (Go path.Dir)', () => {
  it.each([['etc/x', 'etc'], ['x', '.'], ['etc/d/', 'etc/d'], ['a//b', 'a'], ['a/b/c', 'a/b']])('%s → %s', (p, d) => expect(goDir(p)).toBe(d));
});

describe('filesEntries (LinuxKit filesystem())', () => {
  it('defaults to 0600 files, 0700 directories, 0600 symlinks; parents get the mode plus search bits, once', async () => {
    expect(await run([
      { path: 'etc/motd', contents: 'hi' },
      { path: '/etc/ssh/keys', directory: true },
      { path: 'etc/link', symlink: '/etc/motd' },
    ])).toEqual([
      { path: 'etc', type: 'dir', mode: '700', uid: 0, gid: 0 },
      { path: 'etc/motd', type: 'file', mode: '600', uid: 0, gid: 0, content: 'hi' },
      { path: 'etc/ssh', type: 'dir', mode: '700', uid: 0, gid: 0 },
      { path: 'etc/ssh/keys', type: 'dir', mode: '700', uid: 0, gid: 0 },
      { path: 'etc/link', type: 'symlink', mode: '600', uid: 0, gid: 0, linkname: '/etc/motd' },
    ]);
  });

  it('gives parent directories the search bit of each class that has any bit, and the file owner', async () => {
    expect(await run([{ path: 'var/lib/app/conf', contents: '', mode: '0640', uid: 'sshd', gid: 'getty' }])).toEqual([
      { path: 'var', type: 'dir', mode: '750', uid: 101, gid: 100 },
      { path: 'var/lib', type: 'dir', mode: '750', uid: 101, gid: 100 },
      { path: 'var/lib/app', type: 'dir', mode: '750', uid: 101, gid: 100 },
      { path: 'var/lib/app/conf', type: 'file', mode: '640', uid: 101, gid: 100, content: '' },
    ]);
  });

  it('treats a trailing slash as Go does: "d/" makes d a parent directory too (path.Dir keeps it)', async () => {
    expect(await run([
      { path: 'srv/data/', directory: true, mode: '0755' },
      { path: 'srv/data/x', contents: 'x', mode: '0600' },
    ])).toEqual([
      { path: 'srv', type: 'dir', mode: '755', uid: 0, gid: 0 },
      { path: 'srv/data', type: 'dir', mode: '755', uid: 0, gid: 0 },
      { path: 'srv/data', type: 'dir', mode: '755', uid: 0, gid: 0 },
      // srv/data was added as a parent: the later file does not re-create it with 0700
      { path: 'srv/data/x', type: 'file', mode: '600', uid: 0, gid: 0, content: 'x' },
    ]);
  });

  it('does not re-create a directory an earlier entry wrote', async () => {
    expect((await run([{ path: 'opt/d', directory: true, mode: '0755' }, { path: 'opt/d/f', contents: '', mode: '0600' }])).map((e) => e.path)).toEqual(['opt', 'opt/d', 'opt/d/f']);
  });

  it('reads source and metadata, skips a missing optional source and refuses a missing required one', async () => {
    expect(await run([
      { path: 'a', source: 'a.txt' },
      { path: 'b', source: 'missing', optional: true },
      { path: 'c', metadata: 'yaml' },
    ], { 'a.txt': 'A' })).toEqual([
      { path: 'a', type: 'file', mode: '600', uid: 0, gid: 0, content: 'A' },
      { path: 'c', type: 'file', mode: '600', uid: 0, gid: 0, content: 'meta:yaml' },
    ]);
    await expect(run([{ path: 'b', source: 'missing' }])).rejects.toThrow(/cannot be read/);
  });

  it('refuses what LinuxKit refuses', async () => {
    await expect(run([{ path: 'x' }])).rejects.toThrow(/contents of file \(x\) not specified/);
    await expect(run([{ path: 'x', contents: 'a', source: 'b' }])).rejects.toThrow(/contents and source/);
    await expect(run([{ path: 'x', source: 'a', metadata: 'yaml' }])).rejects.toThrow(/source and metadata/);
    await expect(run([{ path: 'x', directory: true, contents: 'a' }])).rejects.toThrow(/directory with contents/);
    await expect(run([{ path: 'x', contents: 'a', mode: '0x9' }])).rejects.toThrow(/octal/);
    await expect(run([{ path: 'x', contents: 'a', uid: 'nobody' }])).rejects.toThrow(/cannot find id "nobody"/);
  });
});
