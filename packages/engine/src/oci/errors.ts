// Typed errors for archive handling. Each message says what went wrong and what to do about it;
// the CLI and the UI print the message, never a stack.

/** A layer or archive that is malformed, hostile, or over a configured limit. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
  /** sha256 digest of the layer (or the archive path) the problem is in, when known. */
  layerDigest?: string;
  /** The entry name as found in the archive, when the problem is one entry. */
  entry?: string;
  constructor(message: string, opts: { layerDigest?: string; entry?: string; cause?: unknown } = {}) {
    const where = [opts.layerDigest && `layer ${opts.layerDigest}`, opts.entry !== undefined && `entry "${opts.entry}"`]
      .filter(Boolean)
      .join(', ');
    super(where ? `${where}: ${message}` : message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.layerDigest = opts.layerDigest;
    this.entry = opts.entry;
  }
}
