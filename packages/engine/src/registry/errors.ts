// RegistryError: a registry (or image source) could not give us an image. The message names the
// image reference, what happened and what to do.

export class RegistryError extends Error {
  override name = 'RegistryError';
  /** The image reference as the user wrote it (or normalised). */
  reference: string;
  /** HTTP status when the registry answered; undefined for network errors and local checks. */
  status?: number;
  /** A short machine-readable reason. */
  code: 'unauthorized' | 'denied' | 'not-found' | 'digest-mismatch' | 'network' | 'server' | 'insecure' | 'platform' | 'invalid' | 'too-large' | 'http' | 'not-allowed';
  constructor(reference: string, code: RegistryError['code'], message: string, opts: { status?: number; cause?: unknown } = {}) {
    super(`${reference}: ${message}`, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.reference = reference;
    this.code = code;
    this.status = opts.status;
  }
}
