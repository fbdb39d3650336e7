import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entry } from '../../testing/memory-images';
import { blobPath, writeImage } from '../../oci/layout';
import { tarBuffer } from '../../oci/tar';
import { runCli } from '../../testing/cli';

let cache: string;
beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'oscompose-cache-cmd-'));
  await writeImage(cache, { ref: 'localhost:5000/t/a:1', layers: [await tarBuffer([entry('a', 'AAAA')])] });
  await writeImage(cache, { ref: 'localhost:5000/t/b:1', layers: [await tarBuffer([entry('b', 'BBBB')])] });
  await mkdir(join(cache, 'sections'), { recursive: true });
  await writeFile(join(cache, 'sections', 'k1.cpio.gz'), 'section');
  // Blobs older than prune's grace period (a build running now keeps fresh blobs).
  const old = new Date(Date.now() - 2 * 3600_000);
  const blobs = join(cache, 'blobs', 'sha256');
  for (const n of await readdir(blobs)) await utimes(join(blobs, n), old, old);
});
afterEach(async () => {
  await rm(cache, { recursive: true, force: true });
});

const run = (args: string[]) => runCli(['cache', ...args, '--cache', cache], { cwd: cache, env: {} });

async function ls(): Promise<{ kind: string; name: string }[]> {
  const r = await run(['ls', '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

/** Every blob a named image uses is on disk: what a later build reading the cache relies on. */
async function assertIndexConsistent(): Promise<void> {
  const index = JSON.parse(await readFile(join(cache, 'index.json'), 'utf8'));
  for (const m of index.manifests) {
    expect(existsSync(blobPath(cache, m.digest)), `manifest ${m.digest}`).toBe(true);
    const manifest = JSON.parse(await readFile(blobPath(cache, m.digest), 'utf8'));
    for (const d of [manifest.config, ...manifest.layers]) expect(existsSync(blobPath(cache, d.digest)), `blob ${d.digest}`).toBe(true);
  }
}

describe('oscompose cache', () => {
  it('ls lists cached images by reference and section archives', async () => {
    const items = await ls();
    expect(items.map((i) => `${i.kind} ${i.name}`).sort()).toEqual(['image localhost:5000/t/a:1', 'image localhost:5000/t/b:1', 'sections k1.cpio.gz']);
  });

  it('rm forgets an image and frees its blobs; index.json names only blobs that exist', async () => {
    const before = (await readdir(join(cache, 'blobs', 'sha256'))).length;
    const r = await run(['rm', 'localhost:5000/t/a:1']);
    expect(r.code).toBe(0);
    expect((await ls()).map((i) => i.name)).not.toContain('localhost:5000/t/a:1');
    expect((await ls()).map((i) => i.name)).toContain('localhost:5000/t/b:1');
    expect((await readdir(join(cache, 'blobs', 'sha256'))).length).toBe(before - 3); // manifest, config, layer
    await assertIndexConsistent();
  });

  it('rm of an unknown name fails and says so', async () => {
    const r = await run(['rm', 'localhost:5000/t/nope:1']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/not in the cache/);
  });

  it('prune keeps every blob a named image uses and drops unnamed ones and old section archives', async () => {
    const stray = join(cache, 'blobs', 'sha256', 'f'.repeat(64));
    await writeFile(stray, 'stray');
    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(stray, old, old);
    const r = await run(['prune', '--days', '0']);
    expect(r.code).toBe(0);
    expect(existsSync(stray)).toBe(false);
    expect((await ls()).map((i) => i.name).sort()).toEqual(['localhost:5000/t/a:1', 'localhost:5000/t/b:1']);
    await assertIndexConsistent();
  });

  it('rm --all empties the cache', async () => {
    const r = await run(['rm', '--all']);
    expect(r.code).toBe(0);
    expect(await ls()).toEqual([]);
    expect(await readdir(join(cache, 'blobs', 'sha256'))).toEqual([]);
  });
});
