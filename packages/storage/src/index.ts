// @oscompose/storage: the artifact store (local directory by default, S3-compatible for several
// worker machines), chosen from the environment in one place.

import path from 'node:path';
import { z } from 'zod';
import { LocalArtifactStore } from './local';
import { S3ArtifactStore } from './s3';
import { StorageError, type ArtifactStore } from './types';

export * from './types';
export { LocalArtifactStore } from './local';
export { S3ArtifactStore, type S3Config } from './s3';
export { signRequest } from './sigv4';
export { planRetention, type RetentionBuild, type RetentionPlan, type RetentionPolicy } from './retention';

const Env = z.object({
  OSCOMPOSE_ARTIFACT_STORE: z.enum(['local', 's3']).default('local'),
  OSCOMPOSE_ARTIFACT_DIR: z.string().optional(),
  OSCOMPOSE_DATA_DIR: z.string().default('data'),
  OSCOMPOSE_S3_ENDPOINT: z.string().url().optional(),
  OSCOMPOSE_S3_REGION: z.string().default('us-east-1'),
  OSCOMPOSE_S3_BUCKET: z.string().optional(),
  OSCOMPOSE_S3_PREFIX: z.string().optional(),
  OSCOMPOSE_S3_ACCESS_KEY_ID: z.string().optional(),
  OSCOMPOSE_S3_SECRET_ACCESS_KEY: z.string().optional(),
  OSCOMPOSE_S3_PATH_STYLE: z.enum(['true', 'false']).default('true'),
});

/**
 * The store named by the environment: `data/artifacts` unless OSCOMPOSE_ARTIFACT_STORE=s3.
 * Relative directories are taken from `root` (pass the repository root, so the web app and the
 * worker, started in different directories, use the same store).
 */
export function createArtifactStore(env: NodeJS.ProcessEnv = process.env, opts: { root?: string } = {}): ArtifactStore {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const cfg = Env.parse(cleaned);
  if (cfg.OSCOMPOSE_ARTIFACT_STORE === 'local') {
    return new LocalArtifactStore(path.resolve(opts.root ?? process.cwd(), cfg.OSCOMPOSE_ARTIFACT_DIR ?? path.join(cfg.OSCOMPOSE_DATA_DIR, 'artifacts')));
  }
  const missing = (['OSCOMPOSE_S3_ENDPOINT', 'OSCOMPOSE_S3_BUCKET', 'OSCOMPOSE_S3_ACCESS_KEY_ID', 'OSCOMPOSE_S3_SECRET_ACCESS_KEY'] as const).filter((k) => !cfg[k]);
  if (missing.length) throw new StorageError('config', `OSCOMPOSE_ARTIFACT_STORE=s3 needs ${missing.join(', ')} (see .env.example).`);
  return new S3ArtifactStore({
    endpoint: cfg.OSCOMPOSE_S3_ENDPOINT!,
    region: cfg.OSCOMPOSE_S3_REGION,
    bucket: cfg.OSCOMPOSE_S3_BUCKET!,
    prefix: cfg.OSCOMPOSE_S3_PREFIX,
    forcePathStyle: cfg.OSCOMPOSE_S3_PATH_STYLE === 'true',
    credentials: { accessKeyId: cfg.OSCOMPOSE_S3_ACCESS_KEY_ID!, secretAccessKey: cfg.OSCOMPOSE_S3_SECRET_ACCESS_KEY! },
  });
}
