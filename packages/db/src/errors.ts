// Recognising Prisma errors without importing the generated client's classes (which would pull
// the client into bundles): known request errors carry a stable `code`.

/** The Prisma error code (P2002, P2025, …) of an error, if it has one. */
export function prismaErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^P\d{4}$/.test(code) ? code : undefined;
}

/** A unique constraint failed (e.g. a team slug or a composition version already exists). */
export function isUniqueViolation(err: unknown): boolean {
  return prismaErrorCode(err) === 'P2002';
}

/** update/delete found no row to act on. */
export function isRecordNotFound(err: unknown): boolean {
  return prismaErrorCode(err) === 'P2025';
}
