// The build's SBOM (SPDX 2.3): package databases and attestations in, one merged document out.
export * from './packageDb';
export * from './attestation';
export * from './spdx';
export * from './read';
export * from './diff';
