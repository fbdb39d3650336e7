import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Spec } from '@oscompose/spec';
import { build, type BuildEvent } from './build';
import { plan } from './buildPlan';
import { explainBuild } from './explain';
import { resolveImages } from './inputs';
import { parseCpio, type CpioMember } from './initramfs/cpio';
import { directory, entry, memoryImages } from './testing/memory-images';
import { tarBuffer } from './oci/tar';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oscompose-build-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function kernelImage() {
  const modules = await tarBuffer([directory('lib'), directory('lib/modules'), directory('lib/modules/6.1.0'), entry('lib/modules/6.1.0/modules.dep', 'dep\n')]);
  return { entries: [entry('kernel', Buffer.alloc(4096, 7), 0o644), entry('kernel.tar', modules), entry('System.map', 'x')] };
}

function images(kernel: Awaited<ReturnType<typeof kernelImage>>, getty = 'getty v1') {
  return memoryImages({
    'example/kernel:1': kernel,
    'example/init:1': {
      entries: [directory('bin'), entry('bin/busybox', 'busybox', 0o755), { path: 'bin/sh', type: 'hardlink', mode: 0o755, uid: 0, gid: 0, size: 0, linkname: 'bin/busybox' }, directory('etc'), entry('etc/resolv.conf', 'nameserver 1.1.1.1\n'), entry('init', '#!/bin/sh\n', 0o755), entry('.dockerenv', '')],
    },
    'example/dhcpcd:1': {
      config: { Entrypoint: ['/sbin/dhcpcd'], Env: ['PATH=/bin'], Labels: { 'org.mobyproject.config': '{"net":"host","capabilities":["CAP_NET_ADMIN"]}' } },
      entries: [directory('sbin'), entry('sbin/dhcpcd', 'dhcpcd', 0o755), directory('etc'), entry('etc/hosts', 'junk'), entry('etc/hostname', 'x')],
    },
    'example/getty:1': { config: { Cmd: ['/usr/bin/getty'] }, entries: [directory('usr'), directory('usr/bin'), entry('usr/bin/getty', getty, 0o755)] },
  });
}

const spec: Spec = {
  kernel: { image: 'example/kernel:1', cmdline: 'console=ttyS0' },
  init: ['example/init:1'],
  onboot: [{ name: 'dhcpcd', image: 'example/dhcpcd:1' }, { name: 'dhcpcd2', image: 'example/dhcpcd:1', readonly: true }],
  services: [{ name: 'getty', image: 'example/getty:1' }],
  files: [{ path: 'etc/issue', contents: 'hello\n' }, { path: 'etc/linuxkit/config', contents: 'x', mode: '0644', uid: 'getty' }, { path: 'var/lib/empty', directory: true }, { path: 'etc/motd', symlink: '/etc/issue' }],
};

function tree(initrd: Buffer): Map<string, CpioMember> {
  const m = new Map<string, CpioMember>();
  for (const e of parseCpio(gunzipSync(initrd))) m.set(e.name, e);
  return m;
}
const kind = (mode: number) => ({ 0o100000: 'file', 0o040000: 'dir', 0o120000: 'symlink' } as Record<number, string>)[mode & 0o170000];

describe('build (kernel+initrd) from in-memory images', () => {
  it('lays the root filesystem out as LinuxKit does', async () => {
    const out = join(dir, 'a');
    const events: BuildEvent[] = [];
    const res = await build({ spec, images: images(await kernelImage()), outDir: out, name: 'test', cacheDir: join(dir, 'cache'), onEvent: (e) => events.push(e) });
    expect(res.artifacts.map((a) => a.name)).toEqual(['test-kernel', 'test-initrd.img', 'test-cmdline']);
    expect(await readFile(join(out, 'test-cmdline'), 'utf8')).toBe('console=ttyS0');
    expect((await readFile(join(out, 'test-kernel'))).length).toBe(4096);
    expect(res.resolved.onboot![0]!.image).toMatch(/^example\/dhcpcd:1@sha256:[0-9a-f]{64}$/);

    const t = tree(await readFile(join(out, 'test-initrd.img')));
    // kernel section: boot/ itself stays, its contents are artifacts; modules are unpacked.
    expect(kind(t.get('boot')!.mode)).toBe('dir');
    expect(t.has('boot/kernel')).toBe(false);
    expect(t.get('lib/modules/6.1.0/modules.dep')!.data.toString()).toBe('dep\n');
    // init: into /, Docker artefacts dropped, resolv.conf → writable symlink, hard link → relative symlink
    expect(t.has('.dockerenv')).toBe(false);
    expect(t.get('etc/resolv.conf')!.data.toString()).toBe('/run/resolvconf/resolv.conf');
    expect(kind(t.get('etc/resolv.conf')!.mode)).toBe('symlink');
    expect(kind(t.get('bin/sh')!.mode)).toBe('symlink');
    expect(t.get('bin/sh')!.data.toString()).toBe('busybox');
    for (const p of ['dev', 'dev/pts', 'dev/shm', 'proc', 'sys', 'etc/mtab']) expect(t.has(p), p).toBe(true);
    // onboot: lower/ + tmp/ + rootfs/ mount point, adjustments inside lower/
    const ob = 'containers/onboot/000-dhcpcd';
    expect(t.get(`${ob}/lower/sbin/dhcpcd`)!.mode & 0o7777).toBe(0o755);
    expect(t.get(`${ob}/lower/etc/hosts`)!.data.toString()).toContain('127.0.0.1       localhost');
    expect(t.has(`${ob}/lower/etc/hostname`)).toBe(false);
    expect(t.get(`${ob}/lower/etc/resolv.conf`)!.data.toString()).toBe('\n# no resolv.conf configured\n');
    expect(kind(t.get(`${ob}/tmp`)!.mode)).toBe('dir');
    expect(kind(t.get(`${ob}/rootfs`)!.mode)).toBe('dir');
    const cfg = JSON.parse(t.get(`${ob}/config.json`)!.data.toString());
    expect(cfg.process.args).toEqual(['/sbin/dhcpcd']);
    expect(cfg.linux.namespaces).toEqual([{ type: 'pid' }, { type: 'mount' }]);
    const rt = JSON.parse(t.get(`${ob}/runtime.json`)!.data.toString());
    expect(rt.mounts[2].options).toEqual([`lowerdir=/${ob}/lower`, `upperdir=/${ob}/tmp/upper`, `workdir=/${ob}/tmp/work`]);
    // the same image again: stored once, bound from the first copy
    const ob2 = 'containers/onboot/001-dhcpcd2';
    expect([...t.keys()].some((k) => k.startsWith(`${ob2}/lower`) || k.startsWith(`${ob2}/rootfs/`))).toBe(false);
    expect(JSON.parse(t.get(`${ob2}/runtime.json`)!.data.toString()).mounts).toEqual([{ destination: `/${ob2}/rootfs`, source: `/${ob}/lower`, options: ['bind'] }]);
    // services: no NNN- prefix; uid names resolve to LinuxKit's allocated ids (100 + position)
    expect(t.has('containers/services/getty/lower/usr/bin/getty')).toBe(true);
    expect(t.get('etc/linuxkit/config')!.uid).toBe(102);
    // files: LinuxKit defaults (0600 files, parents get the file mode plus search bits)
    expect(t.get('etc/issue')!.mode & 0o7777).toBe(0o600);
    expect(t.get('etc/linuxkit')!.mode & 0o7777).toBe(0o755);
    expect(t.get('var/lib/empty')!.mode & 0o7777).toBe(0o700);
    expect(t.get('etc/motd')!.data.toString()).toBe('/etc/issue');
    expect(events.some((e) => e.type === 'stage' && e.stage === 'assemble')).toBe(true);
  });

  it('is byte-identical on rebuild, with or without the section cache, and rebuilds only a changed section', async () => {
    const k = await kernelImage();
    const cacheDir = join(dir, 'cache2');
    const a = await build({ spec, images: images(k), outDir: join(dir, 'r1'), name: 'r', cacheDir });
    const b = await build({ spec, images: images(k), outDir: join(dir, 'r2'), name: 'r', cacheDir });
    const c = await build({ spec, images: images(k), outDir: join(dir, 'r3'), name: 'r', cacheDir, sectionCache: false });
    const sha = (r: typeof a) => r.artifacts.map((x) => x.sha256);
    expect(sha(b)).toEqual(sha(a));
    expect(sha(c)).toEqual(sha(a));
    expect(b.sections.every((s) => s.cached)).toBe(true);
    expect(c.sections.some((s) => s.cached)).toBe(false);

    // The plan holds every section's final key (the files section's too), so what it reports as
    // cached is exactly what the build below reuses.
    const explained = await explainBuild(plan(spec, await resolveImages(spec, images(k, 'getty v2')), { name: 'r' }), { cacheDir });
    expect(explained.filter((p) => !p.cached).map((p) => p.id)).toEqual(['services[0]']);
    const provider = images(k, 'getty v2');
    const d = await build({ spec, images: provider, outDir: join(dir, 'r4'), name: 'r', cacheDir });
    expect(d.sections.filter((s) => !s.cached).map((s) => s.id)).toEqual(['services[0]']);
    expect(provider.flattened).toEqual(['example/getty:1']);
    expect(sha(d)[1]).not.toEqual(sha(a)[1]);
  });

  it('writes artifacts that are files of their own: changed in place, they change neither the section cache nor the next build', async () => {
    const k = await kernelImage();
    const cacheDir = join(dir, 'cache-own');
    const out = join(dir, 'own');
    const a = await build({ spec, images: images(k), outDir: out, name: 'o', cacheDir });
    const b = await build({ spec, images: images(k), outDir: out, name: 'o', cacheDir });
    expect(b.sections.every((s) => s.cached)).toBe(true);
    // What a user might do to a downloaded artifact: write into it (the same inode).
    for (const x of b.artifacts) await appendFile(x.path, 'changed');
    const c = await build({ spec, images: images(k), outDir: out, name: 'o', cacheDir });
    expect(c.sections.every((s) => s.cached)).toBe(true);
    expect(c.artifacts.map((x) => x.sha256)).toEqual(a.artifacts.map((x) => x.sha256));
    for (const x of c.artifacts) expect(createHash('sha256').update(await readFile(x.path)).digest('hex')).toBe(x.sha256);
  });

  it('keeps hard links as hard links when asked (--hardlinks keep)', async () => {
    const res = await build({ spec, images: images(await kernelImage()), outDir: join(dir, 'hl'), name: 'hl', cacheDir: join(dir, 'cache'), hardlinks: 'keep' });
    const t = tree(await readFile(res.artifacts[1]!.path));
    expect(kind(t.get('bin/sh')!.mode)).toBe('file');
    expect(t.get('bin/sh')!.ino).toBe(t.get('bin/busybox')!.ino);
    expect(t.get('bin/busybox')!.data.toString()).toBe('busybox');
  });

  it('writes tar and tar-kernel-initrd as LinuxKit names them', async () => {
    const res = await build({ spec, images: images(await kernelImage()), outDir: join(dir, 't'), name: 'sys', cacheDir: join(dir, 'cache'), formats: ['tar', 'tar-kernel-initrd'] });
    expect(res.artifacts.map((a) => a.name)).toEqual(['sys.tar', 'sys-initrd.tar']);
  });

  it('places volumes under containers/volumes and binds them by name', async () => {
    const s: Spec = { ...spec, volumes: [{ name: 'data', image: 'example/getty:1' }, { name: 'empty', readonly: true }], services: [{ name: 'getty', image: 'example/getty:1', binds: ['data:/data', 'empty:/e:ro', '/var:/var'] }] };
    const res = await build({ spec: s, images: images(await kernelImage()), outDir: join(dir, 'v'), name: 'v', cacheDir: join(dir, 'cache') });
    const t = tree(await readFile(res.artifacts[1]!.path));
    expect(t.has('containers/volumes/data/lower/usr/bin/getty')).toBe(true);
    for (const p of ['containers/volumes/data/tmp', 'containers/volumes/data/merged', 'containers/volumes/empty/lower', 'containers/volumes/empty/merged']) expect(kind(t.get(p)!.mode), p).toBe('dir');
    const cfg = JSON.parse(t.get('containers/services/getty/config.json')!.data.toString());
    const src = (d: string) => cfg.mounts.find((m: { destination: string }) => m.destination === d)?.source;
    expect([src('/data'), src('/e'), src('/var')]).toEqual(['/containers/volumes/data/merged', '/containers/volumes/empty/merged', '/var']);
    await expect(build({ spec: { ...s, services: [{ name: 'g', image: 'example/getty:1', binds: ['empty:/e'] }] }, images: images(await kernelImage()), outDir: join(dir, 'v2'), cacheDir: join(dir, 'cache') })).rejects.toThrow(/read-only/);
  });

  it('works in the work directory it is given and leaves it for the caller', async () => {
    const workDir = join(dir, 'given-work');
    const res = await build({ spec, images: images(await kernelImage()), outDir: join(dir, 'wd'), workDir, name: 'wd', cacheDir: join(dir, 'cache') });
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(workDir)).sort()).toEqual(['initrd.img', 'kernel']);
    expect(await readFile(join(workDir, 'initrd.img'))).toEqual(await readFile(res.artifacts[1]!.path));
  });

  it('stops when its signal is aborted and writes no artifact', async () => {
    const ac = new AbortController();
    const out = join(dir, 'abort');
    const p = build({ spec, images: images(await kernelImage()), outDir: out, name: 'a', cacheDir: join(dir, 'cache-abort'), signal: ac.signal, onEvent: (e) => e.stage === 'assemble' && ac.abort() });
    await expect(p).rejects.toThrow(/cancelled/);
    await expect(readFile(join(out, 'a-initrd.img'))).rejects.toThrow();
  });

  it('reads source files relative to the spec file and honours optional', async () => {
    const specDir = join(dir, 'spec');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(specDir, { recursive: true });
    await writeFile(join(specDir, 'key.pub'), 'ssh-ed25519 AAA\n');
    const s: Spec = { ...spec, files: [{ path: 'root/.ssh/authorized_keys', source: 'key.pub', mode: '0600' }, { path: 'etc/x', source: 'missing', optional: true }] };
    const res = await build({ spec: s, baseDir: specDir, images: images(await kernelImage()), outDir: join(dir, 'f'), name: 'f', cacheDir: join(dir, 'cache') });
    const t = tree(await readFile(res.artifacts[1]!.path));
    expect(t.get('root/.ssh/authorized_keys')!.data.toString()).toBe('ssh-ed25519 AAA\n');
    expect(t.get('root/.ssh')!.mode & 0o7777).toBe(0o700);
    expect(t.has('etc/x')).toBe(false);
  });

  it('with sources none (servers) reads no host file in any form, optional or not, and writes nothing', async () => {
    const specDir = join(dir, 'spec-none');
    const { mkdir, symlink } = await import('node:fs/promises');
    await mkdir(specDir, { recursive: true });
    await writeFile(join(specDir, 'secret'), 'TOP-SECRET\n');
    await symlink(join(specDir, 'secret'), join(specDir, 'link'));
    for (const source of [join(specDir, 'secret'), 'secret', './link', '../spec-none/secret', '~/.bashrc']) {
      for (const optional of [false, true]) {
        const s: Spec = { ...spec, files: [{ path: 'etc/x', source, optional }] };
        const out = join(dir, `none-${optional}`);
        await expect(build({ spec: s, sources: 'none', baseDir: specDir, images: images(await kernelImage()), outDir: out, name: 'n', cacheDir: join(dir, 'cache') }), source).rejects.toThrow(/not allowed here.*use contents instead/);
        await expect(readFile(join(out, 'n-initrd.img'))).rejects.toThrow();
      }
    }
  });
});
