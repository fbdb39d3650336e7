// An in-memory image provider (reference → image config + files) for unit tests and the
// benchmark: build() without a registry or an image store. Digests are derived from content.
import { createHash } from 'node:crypto';
import type { FsEntry } from '../oci/entry';
import type { ImageProvider } from '../inputs';
import type { ImageRuntimeDefaults } from '../layout/runtime-config';

export interface MemoryImageDef {
  config?: ImageRuntimeDefaults;
  entries: FsEntry[];
}

export function memoryImages(images: Record<string, MemoryImageDef>): ImageProvider & { flattened: string[] } {
  const digests = new Map<string, string>();
  for (const [ref, def] of Object.entries(images)) {
    const h = createHash('sha256').update(JSON.stringify(def.config ?? {}));
    for (const e of def.entries) h.update(JSON.stringify({ ...e, content: undefined })).update((e.content as Buffer | undefined) ?? '');
    digests.set(ref, `sha256:${h.digest('hex')}`);
  }
  const flattened: string[] = [];
  return {
    flattened,
    async resolve(ref) {
      const def = images[ref];
      if (!def) throw new Error(`image ${ref} not found`);
      return { ref, digest: digests.get(ref)!, config: { config: def.config } };
    },
    async *flatten(img) {
      flattened.push(img.ref);
      yield* images[img.ref]!.entries;
    },
  };
}

export function entry(path: string, content: string | Buffer, mode = 0o644): FsEntry {
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { path, type: 'file', mode, uid: 0, gid: 0, size: buf.length, content: buf };
}
export function directory(path: string, mode = 0o755): FsEntry {
  return { path, type: 'dir', mode, uid: 0, gid: 0, size: 0 };
}
