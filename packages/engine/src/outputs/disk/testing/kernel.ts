// Test fixture: a real kernel to boot, Debian's cloud kernel (linux-image-*-cloud-amd64), taken
// from apt's archive cache or fetched with `apt-get download`, unpacked once into a cache dir.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface TestKernel {
  /** The bzImage. */
  vmlinuz: string;
  /** Kernel release, e.g. "6.1.0-53-cloud-amd64". */
  release: string;
  /** lib/modules/<release> of the unpacked package. */
  modulesDir: string;
}

const cacheRoot = () => join(process.env.OSCOMPOSE_CACHE ?? join(homedir(), '.cache', 'oscompose'), 'test-kernel');

function findDeb(): string | undefined {
  const dirs = ['/var/cache/apt/archives', join(cacheRoot(), 'debs')];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const debs = readdirSync(dir)
      .filter((f) => /^linux-image-\d.*-cloud-amd64_.*_amd64\.deb$/.test(f) && !f.includes('-dbg'))
      .sort();
    if (debs.length) return join(dir, debs[debs.length - 1]!);
  }
  return undefined;
}

function downloadDeb(): string {
  const dir = join(cacheRoot(), 'debs');
  mkdirSync(dir, { recursive: true });
  let pkg: string | undefined;
  try {
    const deps = execFileSync('apt-cache', ['depends', 'linux-image-cloud-amd64'], { encoding: 'utf8' });
    pkg = /Depends: (linux-image-\d\S*-cloud-amd64)\b/.exec(deps)?.[1];
  } catch {
    // reported below
  }
  if (!pkg) {
    throw new Error('no Debian cloud kernel package known to apt: run `apt-get update` (the boot tests fetch linux-image-cloud-amd64 with apt-get download)');
  }
  execFileSync('apt-get', ['download', '-q', pkg], { cwd: dir, stdio: 'inherit' });
  const deb = findDeb();
  if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${dir}`);
  return deb;
}

export function testKernel(): TestKernel {
  const deb = findDeb() ?? downloadDeb();
  return unpackKernelDeb(deb, join(cacheRoot(), deb.split('/').pop()!.replace(/\.deb$/, '')));
}

/** Unpacks a linux-image .deb into dest (once) and says where its kernel and modules are. */
export function unpackKernelDeb(deb: string, dest: string): TestKernel {
  if (!existsSync(join(dest, '.unpacked'))) {
    mkdirSync(dest, { recursive: true });
    execFileSync('dpkg-deb', ['-x', deb, dest]);
    execFileSync('touch', [join(dest, '.unpacked')]);
  }
  const vmlinuz = readdirSync(join(dest, 'boot')).find((f) => f.startsWith('vmlinuz-'));
  if (!vmlinuz) throw new Error(`${deb} holds no boot/vmlinuz-*`);
  const release = vmlinuz.slice('vmlinuz-'.length);
  return { vmlinuz: join(dest, 'boot', vmlinuz), release, modulesDir: join(dest, 'lib', 'modules', release) };
}
