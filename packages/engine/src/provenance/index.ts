// Signed provenance: DSSE envelopes, in-toto/SLSA statements, the instance's keys, verification.
export { IN_TOTO_PAYLOAD_TYPE, keyIdOf, pae, parseEnvelope, signEnvelope, verifyEnvelope, EnvelopeError, type DsseEnvelope, type DsseSignature } from './dsse';
export {
  OSCOMPOSE_BUILD_TYPE,
  PROVENANCE_FORMAT,
  SLSA_PROVENANCE_V1,
  STATEMENT_TYPE,
  pinnedImages,
  provenanceFileName,
  provenanceStatement,
  type ProvenanceInput,
  type ProvenanceStatement,
  type ResourceDescriptor,
} from './statement';
export { currentSigningKey, ensureSigningKey, listPublicKeys, parsePublicKeys, rotateSigningKey, type PublicKeyRecord, type SigningKey } from './keys';
export { VerifyError, bundleEnvelopes, describeProvenance, verifyProvenance, type Verified } from './verify';
