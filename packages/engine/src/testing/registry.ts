// Pushing to a test registry (started by @oscompose/queue/testing's startRegistry): the real
// pusher, registry/push.ts, which also takes in-memory images.

import { pushImage as pushToRegistry, type PushContent, type PushOptions } from '../registry/push';
import type { MemoryImage, MemoryIndex } from './image';

export type { PushOptions } from '../registry/push';

/** Pushes an image layout (or an in-memory image or index) to a registry; returns the top digest. */
export async function pushImage(host: string, ref: string, source: string | MemoryImage | MemoryIndex, opts: PushOptions = {}): Promise<string> {
  return pushToRegistry(host, ref, typeof source === 'string' ? source : fromMemory(source), opts);
}

function fromMemory(src: MemoryImage | MemoryIndex): PushContent {
  if ('manifests' in src) {
    const blobs = new Map<string, Buffer>();
    for (const m of src.manifests) for (const [d, b] of m.blobs) blobs.set(d, b);
    return {
      top: { mediaType: src.mediaType, bytes: src.indexBytes, digest: src.digest },
      children: src.manifests.map((m) => ({ mediaType: m.manifest.mediaType!, bytes: m.manifestBytes, digest: m.digest })),
      blobs,
    };
  }
  return { top: { mediaType: src.manifest.mediaType!, bytes: src.manifestBytes, digest: src.digest }, children: [], blobs: src.blobs };
}
