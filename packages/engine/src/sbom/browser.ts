// @oscompose/engine/sbom: what the browser needs of a build's SBOM (rows, search, diff), apart
// from the engine's index so a page bundles none of the Node code.
export * from './read';
export * from './diff';
