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
// Test fixtures (a real docker-registry, in-memory images…) are in @oscompose/engine/testing.
export { pushImage, type PushContent, type PushOptions } from './registry/push';

// --- Build: resolve (inputs.ts) → plan (buildPlan.ts, pure) → execute (execute.ts); build.ts runs all three ---
export {
  build,
  loadSpec,
  checkHostTools,
  BuildError,
  type BuildOptions,
} from './build';
export {
  defaultImageProvider,
  resolveImages,
  readSources,
  pinSpec,
  pinnedImages,
  specImages,
  type ImageProvider,
  type ImageProviderOptions,
  type ResolvedImages,
  type SourceOptions,
} from './inputs';
export { plan, checkFormats, type BuildPlan, type PlannedBuildSection, type PlanOptions } from './buildPlan';
export { execute, type ExecuteIO, type BuildResult, type Artifact } from './execute';
export { explainBuild, type PlannedSection } from './explain';
export type { BuildEvent, OutputContext, OutputFormat, ToolRequirement } from './outputs/types';
export { getFormat, listFormats, registerFormat } from './outputs/index';
export { planSections, LAYOUT_VERSION, type Plan, type SectionPlan, type PlannedImage } from './layout/plan';
export { configToOCI, runtimeJson, OCI_VERSION } from './layout/runtime-config';
export { marshalIndent } from './layout/go-json';
export { LayoutError } from './layout/errors';
export { parseCpio, cpioRecords, type CpioMember } from './initramfs/cpio';
export {
  CONTENTS_FORMAT,
  CONTENTS_SCHEMA,
  contentsFileName,
  buildContents,
  OWN_FILES,
  OTHER,
  type BuildContents,
  type ContentsSection,
  type ContentsNode,
} from './initramfs/contents';
export { main as cliMain } from './cli/main';
export { ENGINE_VERSION } from './version';
export { selectPlatform, ociArch } from './oci/platform';
export { RegistryError } from './registry/errors';
export { RegistryClient, registryBaseUrl, isLoopbackRegistry, type RegistryClientOptions, type RegistryImage, type FetchedManifest } from './registry/client';
export {
  registryAllowed,
  isPublicAddress,
  connectionAllowed,
  notAllowedMessage,
  normaliseRegistryHost,
  splitHostPort,
  isRegistryHost,
  operatorRegistries,
  namespaceProblem,
  teamRegistryPolicy,
  STARTER_NAMESPACE,
  DEFAULT_ALLOWED_REGISTRIES,
  type RegistryPolicy,
} from './registry/policy';
export { RegistryPolicyError } from './registry/guard';
export { credentialEnvName, parseDockerConfig, loadDockerConfig, type Credential, type Credentials } from './registry/credentials';
export { BlobCache, defaultCacheDir, DigestMismatchError, type CachedImage } from './cache/blob-cache';
export { createImageResolver, type ImageResolver, type ImageResolverOptions, type ResolvedImage } from './image/resolve';
export { importArchive, type ImportedImage, type ImportArchiveOptions } from './image/archive';
export { flattenImage, type FlattenOptions, type LayerSource } from './image/flatten';
export { DEFAULT_LIMITS, LimitError, UnpackBudget, normaliseEntryName, type BuildLimits, type FlattenLimits, type LimitName } from './image/safety';
export { extractToDir, type ExtractOptions, type ExtractResult } from './image/extract';
export {
  diskFormats,
  missingTools,
  availableFormats,
  describeMissing,
  qemuDiskFormat,
  ukiBootDisk,
  TOOLS,
  type MissingTool,
} from './outputs/disk/index';

// --- SBOM (sbom/): SPDX 2.3 per build; sbom/read.ts is also @oscompose/engine/sbom for the browser ---
export * from './sbom/index';

// --- Signed provenance (provenance/) ---
export * from './provenance/index';
