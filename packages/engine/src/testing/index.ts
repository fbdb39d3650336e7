// @oscompose/engine/testing: fixtures for tests across packages (never imported by production
// code): a real docker-registry on 127.0.0.1, a pusher that also takes in-memory images, OCI
// images made on the fly, an in-memory image provider, proxies that redirect or count connections.
export { startRegistry, pushImage, freePort, REGISTRY_BINARY, type TestRegistry, type StartRegistryOptions, type PushOptions } from './registry';
export { startRedirectProxy, startConnectionCounter, type RedirectProxy } from './redirectProxy';
export { makeImage, makeIndex, makeAttestedIndex, filesToEntries, memorySource, ociArchiveFiles, type MakeImageOptions, type MemoryImage, type MemoryIndex, type FilesSpec, type FileSpec } from './image';
export { memoryImages, directory, entry, type MemoryImageDef } from './memory-images';
