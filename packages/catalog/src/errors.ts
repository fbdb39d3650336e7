// Typed errors for the starter catalog. Each message says what failed and what to do about it.

/** The Debian archive could not be read or a file from it did not verify. */
export class DebianError extends Error {
  override name = 'DebianError';
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
  }
}

/** A recipe file that does not validate or cannot be built. */
export class RecipeError extends Error {
  override name = 'RecipeError';
  constructor(
    message: string,
    public readonly recipe?: string,
    opts?: { cause?: unknown },
  ) {
    super(recipe ? `recipe ${recipe}: ${message}` : message, opts);
  }
}
