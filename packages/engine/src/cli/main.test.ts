import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directory, entry } from '../testing/memory-images';
import { writeImage } from '../oci/layout';
import { tarBuffer } from '../oci/tar';
import { runCli, type CliRun } from '../testing/cli';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oscompose-cli-'));
  const store = join(dir, 'store');
  await writeImage(store, { ref: 'localhost:5000/t/kernel:1', layers: [await tarBuffer([entry('kernel', 'KERNEL')])] });
  await writeImage(store, { ref: 'localhost:5000/t/init:1', layers: [await tarBuffer([directory('sbin'), entry('sbin/init', 'init', 0o755)])] });
  await writeFile(join(dir, 'base.yml'), 'kernel:\n  image: localhost:5000/t/kernel:1\n  cmdline: console=ttyS0\n  tar: none\ninit:\n  - localhost:5000/t/init:1\n');
  await writeFile(join(dir, 'extra.yml'), 'files:\n  - path: etc/issue\n    contents: hi\n');
  await writeFile(join(dir, 'bad.yml'), 'kernel:\n  image: localhost:5000/t/kernel:1\nservices:\n  - name: x\n    image: y\n    capabilities: [CAP_NOPE]\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Result = CliRun;

const runInProcess = (args: string[]): Promise<Result> => runCli(args, { cwd: dir, env: { OSCOMPOSE_CACHE: join(dir, 'cache'), OSCOMPOSE_IMAGE_STORE: join(dir, 'store') } });

const BIN = fileURLToPath(new URL('../../bin/oscompose.mjs', import.meta.url));

/** The installed command: bin/oscompose.mjs runs the compiled bundle (rebuilt first when stale). */
function runBin(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, OSCOMPOSE_CACHE: join(dir, 'cache'), OSCOMPOSE_IMAGE_STORE: join(dir, 'store') };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

let run: (args: string[]) => Promise<Result>;

describe.each([
  ['in process', runInProcess],
  ['through the bundle', runBin],
])('oscompose CLI (%s)', (_how, runner) => {
  beforeAll(() => {
    run = runner;
  });

  it('--help lists every command; each command answers --help', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['build', 'validate', 'resolve', 'cache', 'submit', 'login', 'push']) {
      expect(help.out).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
      const r = await run([name, '--help']);
      expect(r.code).toBe(0);
      expect(r.out.toLowerCase()).toContain(`oscompose ${name}`);
    }
  });

  it('builds merged spec files with LinuxKit flags and names artifacts after the first file', async () => {
    const r = await run(['build', '-format', 'kernel+initrd,tar-kernel-initrd', '-dir', 'out', 'base.yml', 'extra.yml']);
    expect(r.err).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['base-cmdline', 'base-initrd.img', 'base-initrd.tar', 'base-kernel']);
    expect(await readFile(join(dir, 'out', 'base-kernel'), 'utf8')).toBe('KERNEL');
    expect(r.out).toMatch(/base-initrd\.img\s+\d+\s+sha256:[0-9a-f]{64}/);
  });

  it('-o - streams a single artifact to stdout', async () => {
    const r = await run(['build', '-f', 'tar', '-o', '-', '--dir', 'out3', 'base.yml']);
    expect(r.code).toBe(0);
    expect(r.out.length).toBeGreaterThan(1024);
    expect(r.out.slice(257, 262)).toBe('ustar'); // a tar stream: the magic of the first header
    expect(r.out).toContain('sbin/init');
    await expect(readdir(join(dir, 'out3'))).resolves.toEqual([]);
  });

  it('validate prints FILE:LINE:COL problems and exits 1; usage errors exit 2', async () => {
    const bad = await run(['validate', 'bad.yml']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^bad\.yml:6:\d+: .*CAP_NOPE/m);
    expect((await run(['validate', 'base.yml'])).code).toBe(0);
    expect((await run(['build'])).code).toBe(2);
    expect((await run(['nope'])).code).toBe(2);
  });

  it('build errors print the message, not a stack, and exit 1', async () => {
    await writeFile(join(dir, 'missing.yml'), 'kernel:\n  image: localhost:5000/t/absent:1\n');
    const r = await run(['build', '--dir', 'out2', 'missing.yml']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/absent/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('--max-image-bytes (or OSCOMPOSE_IMAGE_MAX_UNPACKED_BYTES) is the decompression limit; over it the build fails naming image and layer', async () => {
    const r = await runInProcess(['build', '--dir', 'out-limit', '--no-section-cache', '--max-image-bytes', '1K', 'base.yml']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/LimitError: image localhost:5000\/t\/(kernel|init):1, layer sha256:[0-9a-f]{64}: the image decompresses to more than 1024 bytes/);
    expect((await runInProcess(['build', '--dir', 'out-limit', '--max-image-bytes', 'lots', 'base.yml'])).err).toMatch(/--max-image-bytes must be a byte count/);
    expect((await runInProcess(['build', '--dir', 'out-limit', '--max-image-bytes', '1M', 'base.yml'])).code).toBe(0);
  });

  it('resolve prints the spec with images pinned; cache ls lists section archives', async () => {
    const r = await run(['resolve', 'base.yml']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/localhost:5000\/t\/init:1@sha256:[0-9a-f]{64}/);
    const ls = await run(['cache', 'ls']);
    expect(ls.code).toBe(0);
    expect(ls.out).toMatch(/^sections .*\.cpio\.gz$/m);
    const rm = await run(['cache', 'prune', '--days', '0']);
    expect(rm.code).toBe(0);
  });
});
