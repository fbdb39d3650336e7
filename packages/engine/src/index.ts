// @oscompose/engine public API.

// --- Image acquisition (oci/, registry/, cache/, image/) ---
export type { FsEntry, FsEntryType } from './oci/entry';
export * from './oci/types';
export { ArchiveError } from './oci/errors';
export { tarStream, tarBuffer, sortEntries, readTar, type TarMember, type TarWriteOptions, type TarReadOptions } from './oci/tar';
export {
  writeImage,
  buildImage,
  initLayout,
  writeBlob,
  readBlob,
  openBlob,
  hasBlob,
  readIndex,
  findInLayout,
  addToIndex,
  blobPath,
  sha256Digest,
  type WriteImageOptions,
  type WrittenImage,
} from './oci/layout';
export { normaliseReference, ReferenceError, type ImageReference } from './oci/reference';
// Test fixtures (a real docker-registry, a pusher, in-memory images); used by tests across packages.
export { startRegistry, pushImage, freePort, type TestRegistry, type StartRegistryOptions, type PushOptions } from './testing/registry';
export { makeImage, makeIndex, filesToEntries, type MakeImageOptions, type MemoryImage, type MemoryIndex, type FilesSpec, type FileSpec } from './testing/image';
