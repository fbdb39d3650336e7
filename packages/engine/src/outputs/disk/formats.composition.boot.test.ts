// Done-when test of the disk formats (issue 8): the default composition, built from the starter
// catalog by the engine in every disk format, boots under QEMU to every onboot container exiting
// 0. Cross-package on purpose (catalog images in, bootcheck verdict out), so it imports upward
// from the engine, in this test only.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootCheck, bootProblems, parseConsole, type BootTarget } from '@oscompose/bootcheck';
import { DebianArchive, buildStarterCatalog, loadDefaultCompositions } from '@oscompose/catalog';
import { parseSpec, type Spec } from '@oscompose/spec';
import { build } from '../../build';
import { diskFormats, qemuDiskFormat, ukiBootDisk } from './index';
import { squashfsLoaderInitrd } from './testing/initrd';
import { unpackKernelDeb } from './testing/kernel';
import { boot } from './testing/qemu';

const cacheRoot = process.env.OSCOMPOSE_CACHE ?? join(homedir(), '.cache', 'oscompose');
const EPOCH = 1_700_000_000;


let root: string;
let spec: Spec;
let artifacts: Array<{ format: string; name: string; path: string }>;
let imageStore: string;
let debianCache: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'oscompose-disk-composition-'));
  // Kept between runs: buildStarterCatalog skips recipes whose inputs did not change.
  imageStore = process.env.OSCOMPOSE_TEST_IMAGE_STORE ?? join(cacheRoot, 'test-image-store');
  debianCache = process.env.OSCOMPOSE_DEBIAN_CACHE ?? join(cacheRoot, 'debian');
  await buildStarterCatalog({ imageStore, cacheDir: debianCache });

  const minimal = (await loadDefaultCompositions({ registryHost: 'localhost:5000' })).find((c) => c.name === 'minimal');
  if (!minimal) throw new Error('packages/catalog/compositions/minimal.yml is missing: the default composition this test builds');
  const parsed = parseSpec(minimal.yaml);
  if (!parsed.spec) throw new Error(`the default composition "minimal" does not parse: ${JSON.stringify(parsed.problems)}`);
  spec = parsed.spec;

  const res = await build({
    spec,
    formats: diskFormats.map((f) => f.name),
    outDir: join(root, 'out'),
    name: 'minimal',
    cacheDir: join(root, 'engine-cache'),
    imageStores: [imageStore],
    sourceDateEpoch: EPOCH,
  });
  artifacts = res.artifacts;
}, 1_800_000);

afterAll(() => {
  if (root && !process.env.OSCOMPOSE_KEEP_TEST_OUTPUT) rmSync(root, { recursive: true, force: true });
});

function onbootNames(): string[] {
  return (spec.onboot ?? []).map((o) => o.name);
}

function expectEveryOnbootExitedZero(summary: { containers: Array<{ phase: string; name: string; status: string; exitCode?: number }> }, console: string) {
  const onboot = summary.containers.filter((c) => c.phase === 'onboot');
  const tail = console.slice(-4000);
  // Our init names onboot containers NNN-name, like their bundle directories.
  expect(onboot.map((c) => c.name.replace(/^\d+-/, '')), tail).toEqual(onbootNames());
  for (const c of onboot) expect({ name: c.name, status: c.status, exitCode: c.exitCode }, tail).toEqual({ name: c.name, status: 'exited', exitCode: 0 });
}

/** The kernel modules a squashfs loader needs, from the Debian package the kernel image came from. */
async function kernelModulesFor(kernelPath: string) {
  const archive = new DebianArchive({ cacheDir: debianCache });
  await archive.load();
  const meta = archive.resolve('linux-image-cloud-amd64');
  const image = meta.depends.find((d) => /^linux-image-\d/.test(d));
  if (!image) throw new Error('linux-image-cloud-amd64 depends on no linux-image-<version> package');
  const unpacked = unpackKernelDeb(await archive.fetchDeb(archive.resolve(image)), join(cacheRoot, 'test-kernel', image));
  // The loader's modules must match the kernel that boots: compare the images byte for byte.
  if (!readFileSync(unpacked.vmlinuz).equals(readFileSync(kernelPath))) {
    throw new Error(`the built kernel is not ${image}'s vmlinuz: rebuild the starter catalog`);
  }
  return unpacked;
}

describe('every disk format of the default composition (minimal) boots with all onboot containers exiting 0', () => {
  it('built every disk format', () => {
    expect(onbootNames().length).toBeGreaterThan(0);
    expect([...new Set(artifacts.map((a) => a.format))].sort()).toEqual(diskFormats.map((f) => f.name).sort());
  });

  for (const format of diskFormats) {
    it(`${format.name} (${format.boot?.firmware ?? 'bios'})`, { timeout: 900_000 }, async () => {
      const mine = artifacts.filter((a) => a.format === format.name);
      const first = mine[0]!.path;
      const firmware = format.boot?.firmware ?? 'bios';
      const work = join(root, 'boot', format.name.replace(/\W/g, '_'));
      mkdirSync(work, { recursive: true });

      if (format.name === 'kernel+squashfs') {
        // bootCheck cannot attach a disk beside a kernel; boot it with our QEMU fixture.
        const [kernel, squashfs, cmdlineFile] = mine.map((a) => a.path) as [string, string, string];
        const modules = await kernelModulesFor(kernel);
        const initrd = squashfsLoaderInitrd(work, modules, { copyToTmpfs: true });
        const cmdline = `${readFileSync(cmdlineFile, 'utf8').trim()} root=/dev/vda panic=-1`;
        const r = await boot({ kernel, initrd, cmdline, disk: squashfs }, { firmware: 'bios', workDir: work, nic: true, memoryMiB: 1024, until: 'oscompose: boot complete', timeoutMs: 600_000 });
        const summary = parseConsole(r.output.endsWith('\n') ? r.output : `${r.output}\n`);
        expect(summary.bootComplete, r.output.slice(-4000)).toBe(true);
        expect(bootProblems(summary), r.output.slice(-4000)).toEqual([]);
        expectEveryOnbootExitedZero(summary, r.output);
        return;
      }

      let target: BootTarget;
      if (format.boot?.medium === 'cdrom') target = { iso: first, firmware };
      else if (format.name === 'uki') {
        // What a user does with a UKI: put it on an EFI system partition.
        target = { disk: await ukiBootDisk(first, work, EPOCH), firmware: 'efi', format: 'raw' };
      } else {
        // bootCheck's type lists raw|qcow2; QEMU takes vpc and vmdk the same way.
        target = { disk: first, firmware, format: qemuDiskFormat(first) };
      }
      const r = await bootCheck(target, { timeoutMs: 600_000 });
      expect(r.error ?? '', r.console.slice(-4000)).toBe('');
      expect(r.ok).toBe(true);
      expectEveryOnbootExitedZero(r, r.console);
    });
  }
});
