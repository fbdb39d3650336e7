// Checking a downloaded artifact against its provenance bundle: a signature one of the given
// public keys verifies, an in-toto Statement with the SLSA provenance predicate, and the file's
// sha256 among its subjects. Pure: bytes and texts in, a verdict out (the CLI reads the files).

import { createHash, type KeyObject } from 'node:crypto';
import { IN_TOTO_PAYLOAD_TYPE, parseEnvelope, verifyEnvelope } from './dsse';
import { SLSA_PROVENANCE_V1, STATEMENT_TYPE, type ProvenanceStatement } from './statement';

export class VerifyError extends Error {
  override name = 'VerifyError';
}

export interface Verified {
  keyId: string;
  statement: ProvenanceStatement;
  subject: { name: string; digest: { sha256: string } } | null;
}

/** Every envelope in a bundle (JSON Lines: one DSSE envelope a line). */
export function bundleEnvelopes(bundle: string) {
  return bundle
    .split('\n')
    .map((l, i) => ({ line: i + 1, text: l.trim() }))
    .filter((l) => l.text)
    .map((l) => {
      try {
        return parseEnvelope(l.text);
      } catch (e) {
        throw new VerifyError(`bundle line ${l.line}: ${(e as Error).message}`);
      }
    });
}

/**
 * Verifies the bundle's signature with `keys` and, when `file` is given, that its sha256 is one
 * of the statement's subjects. Throws VerifyError saying which check failed.
 */
export function verifyProvenance(bundle: string, keys: KeyObject[], file?: { name: string; bytes: Buffer }): Verified {
  if (!keys.length) throw new VerifyError('no public key to verify with: pass --key PEM or --server URL');
  const envelopes = bundleEnvelopes(bundle);
  if (!envelopes.length) throw new VerifyError('the provenance bundle is empty');
  const sha = file ? createHash('sha256').update(file.bytes).digest('hex') : null;
  let signedNoMatch: Verified | null = null;
  for (const env of envelopes) {
    const ok = verifyEnvelope(env, keys);
    if (!ok) continue;
    if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) throw new VerifyError(`the signed payload is ${env.payloadType}, not an in-toto statement`);
    let statement: ProvenanceStatement;
    try {
      statement = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
    } catch {
      throw new VerifyError('the signed payload is not JSON');
    }
    if (statement._type !== STATEMENT_TYPE) throw new VerifyError(`the statement type is ${String(statement._type)}, expected ${STATEMENT_TYPE}`);
    if (statement.predicateType !== SLSA_PROVENANCE_V1) throw new VerifyError(`the predicate is ${String(statement.predicateType)}, expected ${SLSA_PROVENANCE_V1}`);
    if (!Array.isArray(statement.subject)) throw new VerifyError('the statement has no subjects');
    if (!sha) return { keyId: ok.keyId, statement, subject: null };
    const subject = statement.subject.find((s) => s?.digest?.sha256 === sha) ?? null;
    if (subject) return { keyId: ok.keyId, statement, subject };
    signedNoMatch = { keyId: ok.keyId, statement, subject: null };
  }
  if (!signedNoMatch) {
    const ids = [...new Set(envelopes.flatMap((e) => e.signatures.map((s) => s.keyid.slice(0, 16))))];
    throw new VerifyError(
      `the signature does not verify with the given key(s): the bundle says it was signed by ${ids.join(', ') || 'no key'}; the bundle was changed, or the key is another server's`,
    );
  }
  const named = signedNoMatch.statement.subject.find((s) => s.name === file!.name);
  throw new VerifyError(
    named
      ? `${file!.name} has sha256 ${sha}, but the provenance says ${named.digest.sha256}: the file was changed after it was built`
      : `${file!.name} (sha256 ${sha}) is not one of the artifacts this provenance covers (${signedNoMatch.statement.subject.map((s) => s.name).join(', ')})`,
  );
}

/** The provenance as lines a person reads (the CLI prints it, tests check it). */
export function describeProvenance(v: Verified): string[] {
  const p = v.statement.predicate;
  const bd = p?.buildDefinition;
  const run = p?.runDetails;
  const images = (bd?.resolvedDependencies ?? []).filter((d) => d.uri?.startsWith('oci://'));
  const spec = (bd?.resolvedDependencies ?? []).find((d) => d.name === 'resolved spec');
  return [
    `  signed by   ${v.keyId}`,
    ...(v.subject ? [`  subject     ${v.subject.name} sha256:${v.subject.digest.sha256}`] : []),
    `  build       ${run?.metadata?.invocationId ?? '?'} (${bd?.externalParameters?.name ?? '?'}; ${(bd?.externalParameters?.formats ?? []).join(', ')}; ${bd?.externalParameters?.arch ?? '?'})`,
    `  built       ${run?.metadata?.startedOn ?? '?'} → ${run?.metadata?.finishedOn ?? '?'}`,
    `  builder     ${run?.builder?.id ?? '?'} (engine ${bd?.internalParameters?.engineVersion ?? '?'})`,
    `  spec        sha256:${bd?.externalParameters?.spec?.digest?.sha256 ?? '?'} (resolved: sha256:${spec?.digest?.sha256 ?? '?'})`,
    ...images.map((i, n) => `  ${n === 0 ? 'images     ' : '           '} ${i.name}`),
    `  artifacts   ${v.statement.subject.map((s) => s.name).join(', ')}`,
  ];
}
