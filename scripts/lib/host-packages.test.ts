// The host packages list and step from the outside: the list parses and every `start` package is
// one the product uses; with OSCOMPOSE_SKIP_HOST_PACKAGES=1 on a host without the tools, the step
// goes on and lists them, and a test fixture that needs one fails naming its Debian package.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_PACKAGES_FILE, hostToolHelp, packagesFor, parseHostPackages, readHostPackages } from './host-packages.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
// A PATH with node and nothing else: what a host without the packages looks like to a probe.
const bare = mkdtempSync(path.join(tmpdir(), 'oscompose-bare-path-'));
symlinkSync(process.execPath, path.join(bare, 'node'));
afterAll(() => rmSync(bare, { recursive: true, force: true }));

const runBare = (script: string, env: Record<string, string> = {}) =>
  spawnSync(path.join(bare, 'node'), ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { PATH: bare, HOME: process.env.HOME ?? '/root', ...env },
    encoding: 'utf8',
  });

describe('scripts/host-packages.txt', () => {
  it('lists each package once with a purpose, and the three entry points read it', () => {
    const rows = readHostPackages();
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
    for (const name of ['qemu-system-x86', 'xorriso', 'isolinux', 'systemd-boot-efi', 'squashfs-tools', 'mtools', 'dosfstools']) {
      expect(packagesFor('start', rows).map((r) => r.name)).toContain(name);
    }
    for (const name of ['chromium', 'busybox-static', 'cpio']) {
      expect(packagesFor('start', rows).map((r) => r.name)).not.toContain(name);
      expect(packagesFor('test', rows).map((r) => r.name)).toContain(name);
    }
    expect(readFileSync(path.join(ROOT, 'scripts/start.mjs'), 'utf8')).toMatch(/ensureHostPackages\('start'/);
    expect(readFileSync(path.join(ROOT, 'scripts/test.mjs'), 'utf8')).toMatch(/ensureHostPackages\('test'/);
    expect(readFileSync(path.join(ROOT, '.ci/run'), 'utf8')).toContain('node scripts/lib/host-packages.mjs names test');
    const ci = spawnSync(process.execPath, ['scripts/lib/host-packages.mjs', 'names', 'test'], { cwd: ROOT, encoding: 'utf8' });
    expect(ci.stdout.trim().split('\n')).toEqual(rows.map((r) => r.name));
  });

  it('names the file and line of a malformed row', () => {
    expect(() => parseHostPackages('# ok\nxorriso start xorriso ISO\nbroken later\n')).toThrow(`${HOST_PACKAGES_FILE}:3:`);
  });

  it('every disk-format tool the engine checks for is on the list under the same package', async () => {
    const { TOOLS } = await import('@oscompose/engine');
    const rows = packagesFor('start');
    for (const t of Object.values(TOOLS)) expect(rows.map((r) => r.name), t.tool).toContain(t.debianPackage);
  });
});

describe('the host packages step on a host without them', () => {
  it('with OSCOMPOSE_SKIP_HOST_PACKAGES=1 goes on, listing each missing package and what it is for', () => {
    const res = runBare(`import { ensureHostPackages } from './scripts/lib/host-packages.mjs';
      const missing = ensureHostPackages('test');
      console.log(JSON.stringify(missing.map((r) => r.name)));`, { OSCOMPOSE_SKIP_HOST_PACKAGES: '1' });
    expect(res.status, res.stderr).toBe(0);
    const missing = JSON.parse(res.stdout) as string[];
    expect(missing).toEqual(expect.arrayContaining(['xorriso', 'cpio', 'qemu-system-x86']));
    expect(res.stderr).toContain('OSCOMPOSE_SKIP_HOST_PACKAGES=1: not installing');
    expect(res.stderr).toMatch(/cpio\s+checks initramfs archives against GNU cpio/);
  });

  it('without the flag and without apt-get stops before anything else, listing them', () => {
    const res = spawnSync(path.join(bare, 'node'), ['scripts/lib/host-packages.mjs', 'ensure', 'start'], {
      cwd: ROOT,
      env: { PATH: bare },
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('these host packages are missing');
    expect(res.stderr).toMatch(/xorriso\s+the ISO formats/);
    expect(res.stderr).toContain('OSCOMPOSE_SKIP_HOST_PACKAGES=1');
    expect(res.stderr).not.toMatch(/busybox-static/); // a test-only package is not npm start's business
  });

  it('a test fixture that needs a missing tool fails naming the package, not with ENOENT', () => {
    const res = runBare(
      `import { tmpdir } from 'node:os';
      const { markerInitrd } = await import('./packages/engine/src/outputs/disk/testing/initrd.ts');
      try { markerInitrd(tmpdir()); console.log('no error'); } catch (err) { console.log(err.message); }`,
      { OSCOMPOSE_SKIP_HOST_PACKAGES: '1', NODE_OPTIONS: `--import ${path.join(ROOT, 'node_modules/tsx/dist/esm/index.mjs')}` },
    );
    expect(res.stderr).toBe('');
    // /bin/busybox may exist here; cpio is looked up on PATH, which has only node.
    expect(res.stdout).toMatch(/(busybox-static|cpio)/);
    expect(res.stdout).toContain('sudo apt-get install -y --no-install-recommends');
    expect(res.stdout).toContain('OSCOMPOSE_SKIP_HOST_PACKAGES=1 is set');
    expect(res.stdout).not.toContain('ENOENT');
  });

  it('says which package provides a tool by its command or path', () => {
    expect(hostToolHelp('mkfs.fat')).toContain('dosfstools');
    expect(hostToolHelp('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')).toContain('systemd-boot-efi');
    expect(hostToolHelp('nonesuch')).toBe('nonesuch is not installed on this host.');
  });
});
