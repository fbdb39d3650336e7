// The `files` section as `linuxkit build` writes it: default modes 0600 (files) / 0700
// (directories), parent directories created once with the file's mode plus search bits and its
// owner, contents from `contents`, a `source` file (relative to the spec) or the spec `metadata`.
import { posix } from 'node:path';
import type { FileConfig } from '@oscompose/spec';
import type { FsEntry } from '../oci/entry';
import { LayoutError } from './errors';
import { idNumeric } from './runtime-config';

export interface FilesInput {
  files: FileConfig[];
  idMap: ReadonlyMap<string, number>;
  /** A `source`'s contents (read beforehand, see inputs.ts readSources); undefined if missing. */
  readSource(source: string): Buffer | undefined;
  /** The spec as metadata (`yaml` or `json`) for `metadata:` entries. */
  metadata(format: string): Buffer;
}

/**
 * Go's path.Dir: everything before the last slash, cleaned. Unlike Node's dirname it keeps the
 * last component of "etc/d/" ("etc/d"), so LinuxKit creates etc/d as a parent directory too.
 */
export function goDir(p: string): string {
  const i = p.lastIndexOf('/');
  const dir = posix.normalize(p.slice(0, i + 1) || '.');
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}

export function filesEntries(input: FilesInput): FsEntry[] {
  const out: FsEntry[] = [];
  const added = new Set<string>();
  for (const [i, f] of input.files.entries()) {
    const location = `files[${i}]`;
    if (!f.path) throw new LayoutError('did not specify path for file', { location });
    const path = f.path.replace(/^\/+/, '');
    if (path.split('/').includes('..')) throw new LayoutError(`path "${f.path}" must not contain ".."`, { location });
    let mode = f.directory ? 0o700 : 0o600;
    if (f.mode !== undefined && f.mode !== '') {
      if (!/^[0-7]+$/.test(f.mode)) throw new LayoutError(`cannot parse file mode "${f.mode}" as an octal value (e.g. "0644")`, { location });
      mode = parseInt(f.mode, 8);
    }
    let dirMode = mode;
    if (dirMode & 0o700) dirMode |= 0o100;
    if (dirMode & 0o070) dirMode |= 0o010;
    if (dirMode & 0o007) dirMode |= 0o001;
    const uid = idNumeric(f.uid, input.idMap, location);
    const gid = idNumeric(f.gid, input.idMap, location);

    let contents: Buffer | undefined = f.contents !== undefined ? Buffer.from(f.contents) : undefined;
    if (!f.directory && !f.symlink && f.contents === undefined) {
      if (!f.source && !f.metadata) throw new LayoutError(`contents of file (${f.path}) not specified: give contents, source, metadata, directory or symlink`, { location });
      if (f.source && f.metadata) throw new LayoutError(`specified source and metadata for file ${f.path}: give one`, { location });
      if (f.source) {
        contents = input.readSource(f.source);
        if (contents === undefined) {
          if (f.optional) continue;
          throw new LayoutError(`source file ${f.source} for ${f.path} cannot be read; fix the path (relative to the spec file) or mark it optional`, { location });
        }
      } else {
        if (f.metadata !== 'yaml' && f.metadata !== 'json') throw new LayoutError(`unsupported metadata type: ${f.metadata} (use yaml or json)`, { location });
        contents = input.metadata(f.metadata);
      }
    } else {
      if (f.metadata) throw new LayoutError(`specified contents and metadata for file ${f.path}: give one`, { location });
      if (f.source) throw new LayoutError(`specified contents and source for file ${f.path}: give one`, { location });
    }
    let root = '';
    for (const p of goDir(path).split('/')) {
      if (p === '.' || p === '') continue;
      root = root ? `${root}/${p}` : p;
      if (!added.has(root)) {
        out.push({ path: root, type: 'dir', mode: dirMode, uid, gid, size: 0 });
        added.add(root);
      }
    }
    added.add(path);
    // LinuxKit writes the name as given ("etc/d/" stays "etc/d/"); the unpacked tree is the same
    // without the trailing slash, which our archive writers need.
    const name = path.replace(/\/+$/, '');
    if (!name) throw new LayoutError(`path "${f.path}" names the root directory; give a path below /`, { location });
    if (f.directory) {
      if (f.contents !== undefined) throw new LayoutError('directory with contents not allowed', { location });
      out.push({ path: name, type: 'dir', mode, uid, gid, size: 0 });
    } else if (f.symlink) {
      out.push({ path: name, type: 'symlink', mode, uid, gid, size: 0, linkname: f.symlink });
    } else {
      const buf = contents ?? Buffer.alloc(0);
      out.push({ path: name, type: 'file', mode, uid, gid, size: buf.length, content: buf });
    }
  }
  return out;
}
