// The build's own error (bad options, missing tools, cancellation); the layers below have theirs
// (SpecError, LayoutError, RegistryError, ArchiveError, LimitError).
export class BuildError extends Error {
  override name = 'BuildError';
}

export function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new BuildError('build cancelled');
}
