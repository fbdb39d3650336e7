// The in-toto Statement (v1) with a SLSA provenance v1 predicate that says how a build's artifacts
// were made: from which spec (its digest), which images (by digest), by which engine version on
// which worker, as which build, when. Pure: data in, statement out (docs/supply-chain.md).

import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** Names the meaning of externalParameters/internalParameters below; documented in docs/supply-chain.md. */
export const OSCOMPOSE_BUILD_TYPE = 'https://oscompose.dev/provenance/build/v1';

export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest: Record<string, string>;
}

export interface ProvenanceStatement {
  _type: typeof STATEMENT_TYPE;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: typeof SLSA_PROVENANCE_V1;
  predicate: {
    buildDefinition: {
      buildType: string;
      externalParameters: { spec: ResourceDescriptor; formats: string[]; name: string; arch: string };
      internalParameters: { engineVersion: string };
      resolvedDependencies: ResourceDescriptor[];
    };
    runDetails: {
      builder: { id: string; version: Record<string, string> };
      metadata: { invocationId: string; startedOn: string; finishedOn: string };
    };
  };
}

export interface ProvenanceInput {
  buildId: string;
  /** The spec as submitted and as built (every image pinned). */
  specText: string;
  resolvedSpec: string;
  formats: string[];
  name: string;
  arch: string;
  engineVersion: string;
  workerId: string;
  startedAt: Date;
  finishedAt: Date;
  artifacts: { name: string; sha256: string }[];
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const PINNED = /^(\S+)@sha256:([0-9a-f]{64})$/;

/** Every image reference in a resolved spec that is pinned to a digest, sorted, each once. */
export function pinnedImages(resolvedSpec: string): { ref: string; digest: string }[] {
  const found = new Map<string, string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      const m = PINNED.exec(v.trim());
      if (m) found.set(v.trim(), m[2]!);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const doc of parseAllDocuments(resolvedSpec)) if (!('empty' in doc)) walk(doc.toJS());
  return [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([ref, digest]) => ({ ref, digest }));
}

export function provenanceStatement(input: ProvenanceInput): ProvenanceStatement {
  return {
    _type: STATEMENT_TYPE,
    subject: [...input.artifacts]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((a) => ({ name: a.name, digest: { sha256: a.sha256 } })),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: OSCOMPOSE_BUILD_TYPE,
        externalParameters: {
          spec: { name: 'spec', digest: { sha256: sha256(input.specText) } },
          formats: input.formats,
          name: input.name,
          arch: input.arch,
        },
        internalParameters: { engineVersion: input.engineVersion },
        resolvedDependencies: [
          { name: 'resolved spec', digest: { sha256: sha256(input.resolvedSpec) } },
          ...pinnedImages(input.resolvedSpec).map((i) => ({ name: i.ref, uri: `oci://${i.ref}`, digest: { sha256: i.digest } })),
        ],
      },
      runDetails: {
        builder: { id: `urn:oscompose:worker:${encodeURIComponent(input.workerId)}`, version: { '@oscompose/engine': input.engineVersion } },
        metadata: { invocationId: input.buildId, startedOn: input.startedAt.toISOString(), finishedOn: input.finishedAt.toISOString() },
      },
    },
  };
}

/** The artifact format of a build's provenance bundle (the API shows it apart from the outputs). */
export const PROVENANCE_FORMAT = 'provenance';

/** The bundle's file name next to a build's artifacts (`NAME.intoto.jsonl`, as SLSA tooling names them). */
export function provenanceFileName(buildName: string): string {
  return `${buildName}.intoto.jsonl`;
}
