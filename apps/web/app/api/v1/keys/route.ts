// GET /api/v1/keys → { keys: [{ keyId, algorithm, publicKey, createdAt, current }] }: the public
// keys this server signs provenance with, the current one and every retired one (so artifacts
// signed before a rotation still verify). No login: firmware, CI and `oscompose verify --server`
// read it, and public keys are public.
import { listPublicKeys } from '@oscompose/engine';
import { keyDir } from '../../../../src/server/provenance/signature';
import { buildDeps } from '../../../../src/server/builds/deps';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(): Promise<Response> {
  const keys = await listPublicKeys((await buildDeps()).keyDir ?? keyDir());
  return Response.json({ keys }, { headers: { 'cache-control': 'no-cache' } });
}
