// The string enums of the data model (stored as text so SQLite and PostgreSQL share one schema).
// Validate with these before writing; the database itself does not check them.
import { z } from 'zod';
import { BUILD_STATUSES } from './buildState/status';
import { TESTDRIVE_STATUSES } from './testdriveState/status';

export const MembershipRole = z.enum(['owner', 'admin', 'member', 'viewer']);
export type MembershipRole = z.infer<typeof MembershipRole>;

export const CatalogKind = z.enum(['kernel', 'init', 'onboot', 'onshutdown', 'service', 'volume']);
export type CatalogKind = z.infer<typeof CatalogKind>;

export const CatalogSource = z.enum(['starter', 'remote', 'team', 'upload']);
export type CatalogSource = z.infer<typeof CatalogSource>;

export const Visibility = z.enum(['team', 'public']);
export type Visibility = z.infer<typeof Visibility>;

/** The statuses and their moves are defined in buildState/status.ts. */
export const BuildStatus = z.enum(BUILD_STATUSES);
export type BuildStatus = z.infer<typeof BuildStatus>;

/** A testdrive's statuses and moves are defined in testdriveState/status.ts. */
export const TestdriveStatus = z.enum(TESTDRIVE_STATUSES);
export type TestdriveStatus = z.infer<typeof TestdriveStatus>;

export const InvitationStatus = z.enum(['pending', 'accepted', 'rejected', 'canceled']);
export type InvitationStatus = z.infer<typeof InvitationStatus>;

/** Parses a JSON text column, falling back when it is empty or malformed. */
export function parseJsonColumn<T>(text: string | null | undefined, schema: z.ZodType<T>, fallback: T): T {
  if (!text) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}
