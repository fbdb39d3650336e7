// Compositions and catalog services against a real, migrated SQLite database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, seedDatabase, type SeededDb } from '../../../e2e/support/webApp';
import type { Caller } from '../auth/caller';

let db: SeededDb;
let caller: Caller;
let other: Caller;
let services: typeof import('./compositions');
let catalog: typeof import('../catalog/listCatalog');

beforeAll(async () => {
  db = await seedDatabase();
  // The services use the process-wide client, created on first use from DATABASE_URL.
  process.env.DATABASE_URL = db.url;
  services = await import('./compositions');
  catalog = await import('../catalog/listCatalog');
  caller = { userId: db.userId, teamId: db.teamId, role: 'owner', via: 'local' };
  const team = await db.prisma.team.create({ data: { name: 'Other', slug: 'other' } });
  other = { userId: db.userId, teamId: team.id, role: 'owner', via: 'local' };
});

afterAll(async () => {
  await db?.prisma.$disconnect();
  if (db) removeDir(db.dir);
});

describe('compositions', () => {
  it('saves versions only when the spec changes, and keeps every version', async () => {
    const spec1 = '# mine\nkernel:\n  image: k:1\n';
    const created = await services.createComposition(caller, { name: 'box', spec: spec1 });
    expect(created.version).toBe(1);
    const same = await services.updateComposition(caller, created.id, { spec: spec1, name: 'box 2' });
    expect(same.version).toBe(1);
    expect(same.name).toBe('box 2');
    const changed = await services.updateComposition(caller, created.id, { spec: `${spec1}init:\n  - i:1\n`, message: 'add init' });
    expect(changed.version).toBe(2);
    const detail = await services.getComposition(caller, created.id);
    expect(detail.spec).toContain('init:');
    expect(detail.versions.map((v) => [v.version, v.message])).toEqual([[2, 'add init'], [1, 'created']]);
    expect((await services.getCompositionVersion(caller, created.id, 1)).spec).toBe(spec1);
  });

  it('refuses text that is not YAML, with the line', async () => {
    await expect(services.createComposition(caller, { name: 'bad', spec: 'kernel: [\n' })).rejects.toMatchObject({ status: 400, problems: [expect.objectContaining({ line: expect.any(Number) })] });
  });

  it('hides another team’s compositions until they are shared, and duplicates', async () => {
    const theirs = await services.createComposition(other, { name: 'theirs', spec: 'kernel:\n  image: k:1\n' });
    await expect(services.getComposition(caller, theirs.id)).rejects.toMatchObject({ status: 404 });
    await expect(services.updateComposition(caller, theirs.id, { spec: '' })).rejects.toMatchObject({ status: 404 });
    await services.updateComposition(other, theirs.id, { visibility: 'public' });
    const copy = await services.duplicateComposition(caller, theirs.id);
    expect(copy.name).toBe('theirs (copy)');
    expect((await services.getComposition(caller, copy.id)).spec).toBe('kernel:\n  image: k:1\n');
    expect((await services.listCompositions(caller)).map((c) => c.name)).toEqual(expect.arrayContaining(['theirs', 'theirs (copy)']));
  });
});

describe('catalog', () => {
  it('filters by kind, text and scope, and sees team entries only of its own team', async () => {
    await db.prisma.catalogEntry.create({ data: { teamId: other.teamId, reference: 'r/secret:1', name: 'secret', kind: 'service', title: 'Secret' } });
    const all = await catalog.listCatalog(caller.teamId, {});
    expect(all.map((e) => e.name)).not.toContain('secret');
    expect((await catalog.listCatalog(caller.teamId, { kind: 'onboot' })).map((e) => e.name).sort()).toEqual(['dhcpcd', 'sysctl']);
    expect((await catalog.listCatalog(caller.teamId, { q: 'serial console' })).map((e) => e.name)).toEqual(['getty']);
    expect(await catalog.listCatalog(caller.teamId, { scope: 'team' })).toEqual([]);
    expect((await catalog.listCatalog(other.teamId, { scope: 'team' })).map((e) => e.name)).toEqual(['secret']);
    const kernel = all.find((e) => e.kind === 'kernel')!;
    expect(kernel.tags).toEqual([{ tag: '6.1', digest: kernel.pinnedDigest }]);
    expect(kernel.size).toBe(31_000_000);
  });
});
