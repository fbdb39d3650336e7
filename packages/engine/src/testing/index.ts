// @oscompose/engine/testing: the engine's fixtures for tests across packages (never imported by
// production code): a pusher that also takes in-memory images, OCI images made on the fly, an
// in-memory image provider, proxies that redirect or count connections, a test kernel. Ports,
// Redis, the registry process and databases are in @oscompose/queue/testing.
export { pushImage, type PushOptions } from './registry';
export { runCli, type CliRun } from './cli';
export { startRedirectProxy, startConnectionCounter, type RedirectProxy } from './redirectProxy';
export { makeImage, makeIndex, makeAttestedIndex, spdxFixture, filesToEntries, memorySource, ociArchiveFiles, type MakeImageOptions, type MemoryImage, type MemoryIndex, type FilesSpec, type FileSpec } from './image';
export { memoryImages, directory, entry, type MemoryImageDef } from './memory-images';
export { testKernel, type TestKernel } from '../outputs/disk/testing/kernel';
