import { describe, expect, it } from 'vitest';
import { can, permissionsOf, type Permission } from './permissions';

describe('permission table', () => {
  it('orders roles: each role holds everything the role below holds', () => {
    expect(can('viewer', 'build:read')).toBe(true);
    expect(can('viewer', 'build:create')).toBe(false);
    expect(can('member', 'build:create')).toBe(true);
    expect(can('member', 'catalog:write')).toBe(false);
    expect(can('admin', 'catalog:write')).toBe(true);
    expect(can('admin', 'team:delete')).toBe(false);
    expect(can('owner', 'team:delete')).toBe(true);
    for (const p of permissionsOf('viewer')) expect(can('member', p)).toBe(true);
  });

  it('denies permissions that are not in the table', () => {
    expect(can('owner', 'build:explode' as Permission)).toBe(false);
  });
});
