// @oscompose/storage: the artifact store (local directory by default, S3-compatible for several
// worker machines), chosen by the settings the process's config parsed.

import { LocalArtifactStore } from './local';
import { S3ArtifactStore, type S3Config } from './s3';
import type { ArtifactStore } from './types';

export * from './types';
export { LocalArtifactStore } from './local';
export { S3ArtifactStore, type S3Config } from './s3';
export { signRequest } from './sigv4';
export { planRetention, type RetentionBuild, type RetentionPlan, type RetentionPolicy } from './retention';

/** Where artifacts go: parsed from the environment by the process's config (@oscompose/db BaseEnv). */
export type ArtifactStoreSettings = { kind: 'local'; dir: string } | ({ kind: 's3' } & S3Config);

/** The store the settings name: a local directory (default data/artifacts) or an S3-compatible bucket. */
export function createArtifactStore(settings: ArtifactStoreSettings): ArtifactStore {
  if (settings.kind === 'local') return new LocalArtifactStore(settings.dir);
  const { kind: _kind, ...s3 } = settings;
  return new S3ArtifactStore(s3);
}
