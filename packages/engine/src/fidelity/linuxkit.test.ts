// LinuxKit itself is the oracle: the same specs, over the same images in a real registry on
// 127.0.0.1, built by `linuxkit build --format tar` and by our `tar` output; the unpacked trees
// must be the same (every path, type, mode, owner, link target and content, so every
// config.json and runtime.json byte for byte), apart from the documented differences (mtimes).
//
// The LinuxKit binary (v1.7.1) comes from LINUXKIT=path or `linuxkit` on PATH; without one the
// suite is skipped with a message. The repository cannot hold LinuxKit and CI cannot reach
// GitHub, so CI runs it only where LINUXKIT is set (docs/engine.md, "Fidelity").
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '@oscompose/spec';
import { build } from '../build';
import { defaultImageProvider } from '../inputs';
import { readTar } from '../oci/tar';
import { makeImage } from '../testing/image';
import { pushImage } from '../testing/registry';
import { startRegistry, type TestRegistry } from '@oscompose/queue/testing';
import { FIDELITY_SPECS, fidelityImages } from './specs';

function findLinuxkit(): string | undefined {
  if (process.env.LINUXKIT) return existsSync(process.env.LINUXKIT) ? process.env.LINUXKIT : undefined;
  for (const d of (process.env.PATH ?? '').split(delimiter)) if (d && existsSync(join(d, 'linuxkit'))) return join(d, 'linuxkit');
  return undefined;
}
const linuxkit = findLinuxkit();
if (!linuxkit) {
  console.warn('fidelity/linuxkit.test.ts skipped: no LinuxKit binary (set LINUXKIT=/path/to/linuxkit v1.7.1, or put linuxkit on PATH)');
}

interface Node {
  type: string;
  mode: string;
  owner: string;
  link?: string;
  dev?: string;
  sha256?: string;
  text?: string;
}

/** Unpacks a tar as `tar -x` would (a later member for a path replaces the earlier one). */
async function treeOf(tarPath: string): Promise<Map<string, Node>> {
  const tree = new Map<string, Node>();
  for await (const m of readTar(createReadStream(tarPath) as AsyncIterable<Buffer>)) {
    const path = m.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    if (path === '' || path === '.') continue;
    const node: Node = { type: m.type, mode: (m.mode & 0o7777).toString(8), owner: `${m.uid}:${m.gid}` };
    if (m.type === 'symlink' || m.type === 'hardlink') node.link = m.linkname;
    if (m.type === 'char' || m.type === 'block') node.dev = `${m.devmajor},${m.devminor}`;
    if (m.type === 'file') {
      const chunks: Buffer[] = [];
      for await (const c of m.content) chunks.push(c);
      const data = Buffer.concat(chunks);
      node.sha256 = createHash('sha256').update(data).digest('hex');
      // JSON the containers run with is compared as text so a failure shows the difference.
      if (/(^|\/)(config|runtime)\.json$/.test(path)) node.text = data.toString('utf8');
    }
    tree.set(path, node);
  }
  return tree;
}

/** The first differing lines of two texts, with line numbers (enough to see what to fix). */
function lineDiff(ours: string, theirs: string): string {
  const a = ours.split('\n');
  const b = theirs.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < 12; i++) {
    if (a[i] !== b[i]) out.push(`  line ${i + 1}: ours ${JSON.stringify(a[i])} linuxkit ${JSON.stringify(b[i])}`);
  }
  return out.join('\n');
}

let dir: string;
let registry: TestRegistry;
let refs: Record<string, string>;

describe.skipIf(!linuxkit)('the same tree as linuxkit build (LinuxKit is the oracle)', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oscompose-fidelity-'));
    registry = await startRegistry();
    refs = {};
    for (const [name, opts] of Object.entries(await fidelityImages())) {
      const ref = `${registry.host}/fidelity/${name}:1`;
      await pushImage(registry.host, `fidelity/${name}:1`, await makeImage(opts));
      refs[name] = ref;
    }
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    if (dir && !process.env.FIDELITY_KEEP) await rm(dir, { recursive: true, force: true });
    else if (dir) console.warn(`fidelity: trees kept in ${dir}`);
  });

  for (const [name, template] of Object.entries(FIDELITY_SPECS)) {
    it(`${name}: every path, mode, owner and byte (config.json, runtime.json) as LinuxKit`, async () => {
      const text = template.replace(/\{\{(\w+)\}\}/g, (_, img: string) => {
        if (!refs[img]) throw new Error(`spec ${name} names unknown image ${img}`);
        return refs[img]!;
      });
      const work = join(dir, name);
      execFileSync('mkdir', ['-p', join(work, 'lk'), join(work, 'ours')]);
      const specFile = join(work, `${name}.yml`);
      writeFileSync(specFile, text);

      const lk = spawnSync(linuxkit!, ['build', '--no-sbom', '--format', 'tar', '--cache', join(dir, 'lk-cache'), '--dir', join(work, 'lk'), '--name', name, specFile], { encoding: 'utf8', timeout: 120_000 });
      if (lk.status !== 0) throw new Error(`linuxkit build failed (${lk.status}):\n${lk.stderr}`);

      const parsed = parseSpec(text, { file: specFile });
      expect(parsed.problems.filter((p) => p.severity !== 'warning')).toEqual([]);
      const cacheDir = join(dir, 'cache');
      const images = await defaultImageProvider({ cacheDir, imageStores: [], pull: true, arch: 'amd64', insecureRegistries: [], signal: undefined });
      await build({ spec: parsed.spec!, specFiles: [specFile], images, formats: ['tar'], outDir: join(work, 'ours'), name, cacheDir, sbom: false }); // as --no-sbom above (sbom/sbom.integration.test.ts compares the SBOM)

      const theirs = await treeOf(join(work, 'lk', `${name}.tar`));
      const ours = await treeOf(join(work, 'ours', `${name}.tar`));
      const diff: string[] = [];
      for (const [p, n] of theirs) {
        const o = ours.get(p);
        if (!o) diff.push(`missing ${p} (${JSON.stringify(n)})`);
        else if (o.text !== undefined && n.text !== undefined && o.text !== n.text) diff.push(`${p} differs:\n${lineDiff(o.text, n.text)}`);
        else if (JSON.stringify(o) !== JSON.stringify(n)) diff.push(`${p}: ours ${JSON.stringify(o)} linuxkit ${JSON.stringify(n)}`);
      }
      for (const p of ours.keys()) if (!theirs.has(p)) diff.push(`extra ${p}`);
      expect(diff).toEqual([]);
      // The containers' JSON is in the trees; the comparison above covered it byte for byte.
      const json = [...theirs.keys()].filter((p) => /\/(config|runtime)\.json$/.test(p));
      expect(json.length).toBeGreaterThan(0);
    }, 180_000);
  }
});
