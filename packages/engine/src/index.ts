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
