// Signed provenance for a build's artifacts: one in-toto Statement (SLSA provenance v1) naming
// every artifact by sha256, in a DSSE envelope signed with the instance's current Ed25519 key,
// written as NAME.intoto.jsonl and published next to the artifacts (docs/supply-chain.md).

import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { IN_TOTO_PAYLOAD_TYPE, PROVENANCE_FORMAT, ensureSigningKey, provenanceFileName, provenanceStatement, signEnvelope, type ProvenanceInput } from '@oscompose/engine';
import type { EngineArtifact } from '../build/engine';


export interface ProvenanceSigner {
  /** DATA_DIR/keys: the key is generated there at first use and re-read per build (rotation). */
  keyDir: string;
  workerId: string;
}

/** What the build row and the run know; the signer adds the worker, the finish time and the artifacts. */
export type ProvenanceBuild = Omit<ProvenanceInput, 'buildId' | 'workerId' | 'finishedAt' | 'artifacts'> & { id: string };

/** Signs the statement for `artifacts` and writes the bundle into outDir; returns it as an artifact to publish. */
export async function writeProvenance(signer: ProvenanceSigner, build: ProvenanceBuild, artifacts: EngineArtifact[], outDir: string): Promise<EngineArtifact> {
  const key = await ensureSigningKey(signer.keyDir);
  const statement = provenanceStatement({
    buildId: build.id,
    specText: build.specText,
    resolvedSpec: build.resolvedSpec,
    formats: build.formats,
    name: build.name,
    arch: build.arch,
    engineVersion: build.engineVersion,
    workerId: signer.workerId,
    startedAt: build.startedAt,
    finishedAt: new Date(),
    artifacts,
  });
  const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), key.privateKey);
  const bytes = Buffer.from(JSON.stringify(envelope) + '\n');
  const name = provenanceFileName(build.name);
  const file = path.join(outDir, name);
  await writeFile(file, bytes);
  return { format: PROVENANCE_FORMAT, name, path: file, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}
