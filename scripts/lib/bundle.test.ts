// The compiled CLI follows its sources: a copy of the engine package (with this repository's
// node_modules) is run through its real bin/oscompose.mjs, a source is edited, and the next run
// must run the new code, while a touched but unchanged file must not cost a rebuild.
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'oscompose-bundle-'));
  for (const f of ['package.json', 'tsconfig.base.json', 'scripts/lib/bundle.mjs']) await cp(path.join(REPO, f), path.join(root, f));
  await mkdir(path.join(root, 'packages/engine'), { recursive: true });
  for (const f of ['package.json', 'tsconfig.json', 'bin', 'src']) await cp(path.join(REPO, 'packages/engine', f), path.join(root, 'packages/engine', f), { recursive: true });
  await symlink(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  await writeFile(path.join(root, 'ok.yml'), 'kernel:\n  image: linuxkit/kernel:6.6.13\n  cmdline: console=ttyS0\n');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function oscompose(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'packages/engine/bin/oscompose.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, OSCOMPOSE_DEBUG: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const stamp = async () => JSON.parse(await readFile(path.join(root, 'packages/engine/dist/stamp.json'), 'utf8')) as { builtAt: string; inputs: Record<string, unknown> };
const source = (rel: string) => path.join(root, 'packages/engine/src', rel);

async function edit(rel: string, from: string, to: string) {
  const text = await readFile(source(rel), 'utf8');
  expect(text).toContain(from);
  await writeFile(source(rel), text.replace(from, to));
}

describe('the compiled CLI', () => {
  it('is built on the first run, from the sources it lists in its stamp', async () => {
    const r = oscompose('--help');
    expect(r.err).toBe(''); // no "running the TypeScript source" fallback
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^oscompose — build LinuxKit-style operating systems/);
    const inputs = Object.keys((await stamp()).inputs);
    expect(inputs).toContain('packages/engine/src/cli/main.ts');
    expect(inputs).toContain('packages/engine/src/cli/commands/validate.ts');
    expect(inputs.some((p) => p.endsWith('packages/spec/src/index.ts'))).toBe(true);
  });

  it('is not rebuilt when a source is touched without changing', async () => {
    const before = await stamp();
    const later = new Date(Date.now() + 5000);
    await utimes(source('cli/main.ts'), later, later);
    expect(oscompose('--help').code).toBe(0);
    expect((await stamp()).builtAt).toBe(before.builtAt);
  });

  it('runs the new code after a source changes, in the entry and in a lazily loaded command', async () => {
    const before = await stamp();
    await edit('cli/main.ts', 'build LinuxKit-style operating systems', 'edited help line');
    const help = oscompose('--help');
    expect(help.out).toMatch(/^oscompose — edited help line/);
    expect((await stamp()).builtAt).not.toBe(before.builtAt);

    expect(oscompose('validate', 'ok.yml').out).toBe('ok.yml: valid\n');
    await edit('cli/commands/validate.ts', ': valid\\n', ': all good\\n');
    const r = oscompose('validate', 'ok.yml');
    expect(r.code).toBe(0);
    expect(r.out).toBe('ok.yml: all good\n');
  });

  it('modules that find files next to themselves (import.meta.url) still find them when bundled', async () => {
    await writeFile(source('cli/note.txt'), 'read from beside the source\n');
    await writeFile(source('cli/note.ts'), "import { readFileSync } from 'node:fs';\nexport const note = () => readFileSync(new URL('./note.txt', import.meta.url), 'utf8');\n");
    await edit('cli/main.ts', "import { commands } from './commands/index';", "import { commands } from './commands/index';\nimport { note } from './note';");
    await edit('cli/main.ts', "if (name === '--version') {", "if (name === '--note') {\n      full.stdout.write(note());\n      return EXIT.ok;\n    }\n    if (name === '--version') {");
    const r = oscompose('--note');
    expect(r.err).toBe('');
    expect(r.out).toBe('read from beside the source\n');
  });

  it('never runs a stale bundle: a source that does not compile fails with its file and line', async () => {
    await edit('cli/commands/validate.ts', 'async run(args, io) {', 'async run(args, io) { const = ;');
    const r = oscompose('validate', 'ok.yml');
    expect(r.code).not.toBe(0);
    expect(r.out).not.toContain('all good');
    expect(r.err).toMatch(/validate\.ts:\d+/);
  });
});
