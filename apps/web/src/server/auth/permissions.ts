// Who may do what: one declarative table from permission to the least role that holds it.
// Every API route names one permission; the route wrapper checks it against the caller's role.

export const ROLES = ['viewer', 'member', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The least role that holds each permission. Roles are ordered: an owner can do everything an
 * admin can, an admin everything a member can, a member everything a viewer can.
 */
export const PERMISSIONS = {
  // builds and their artifacts
  'build:read': 'viewer',
  'build:create': 'member',
  'build:cancel': 'member',
  'build:rebuild': 'member',
  'build:pin': 'admin',
  'artifact:download': 'viewer',
  // testdrives: viewers watch a running one's console; members start, type, extend and stop
  'testdrive:read': 'viewer',
  'testdrive:start': 'member',
  'testdrive:use': 'member',
  // specs (validation and planning read nothing of the team's but cost CPU: members only)
  'spec:validate': 'viewer',
  'spec:plan': 'member',
  'format:read': 'viewer',
  // catalog
  'catalog:read': 'viewer',
  'catalog:write': 'admin',
  // compositions
  'composition:read': 'viewer',
  'composition:write': 'member',
  'composition:delete': 'admin',
  // team administration
  'team:read': 'viewer',
  'team:manage': 'admin',
  'team:delete': 'owner',
  // API tokens are capped at their owner's role, so every role may make its own.
  'token:manage': 'viewer',
  // joining a team by invitation link (the caller has no team yet, see route option teamless)
  'invitation:accept': 'viewer',
  // registry credentials (the secret never leaves the server) and the audit trail
  'credential:read': 'admin',
  'credential:write': 'admin',
  // registries specs may name beyond the operator's list (Settings → Registries); the list is no secret
  'registry:read': 'viewer',
  'registry:write': 'admin',
  'audit:read': 'admin',
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof PERMISSIONS;

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * The role a stored membership grants. A value we do not know (a role from a newer version, a
 * hand-edited row) grants the least, never more: viewer.
 */
export function membershipRole(value: string): Role {
  return isRole(value) ? value : 'viewer';
}

/** True when `role` holds `permission`. Unknown permissions are denied (fail closed). */
export function can(role: Role, permission: Permission): boolean {
  const least = (PERMISSIONS as Record<string, Role | undefined>)[permission];
  if (!least) return false;
  return roleRank(role) >= roleRank(least);
}

/** Every permission a role holds (for the UI: hide buttons the caller could not use). */
export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(role, p));
}
