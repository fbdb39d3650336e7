// Errors from planning the root filesystem: a spec or image label that LinuxKit would refuse too.
// The message names the container and says what to change.

export class LayoutError extends Error {
  override name = 'LayoutError';
  /** Where in the spec, e.g. `services[2]` or `files[0]`. */
  location?: string;
  constructor(message: string, opts: { location?: string; cause?: unknown } = {}) {
    super(opts.location ? `${opts.location}: ${message}` : message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.location = opts.location;
  }
}
