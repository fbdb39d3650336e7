// The engine's version: in provenance, the SBOM's creator and the worker's build cache key.
export const ENGINE_VERSION = '0.1.0';
