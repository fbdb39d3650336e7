// `npm run bench:engine`: a realistic spec (~39 MB initramfs of real binaries: kernel modules,
// libraries, executables) built from an OCI image store through the real image path, cold, warm,
// and after a one-service change; plus the baseline of compressing the same tree with one core.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Spec } from '@oscompose/spec';
import { build, type BuildOptions } from '../src/build';
import { defaultImageProvider } from '../src/inputs';
import { DEFAULT_GZIP_LEVEL } from '../src/initramfs/index';
import type { FsEntry } from '../src/oci/entry';
import { writeImage } from '../src/oci/layout';
import { tarBuffer } from '../src/oci/tar';
import { pushImage } from '../src/testing/registry';
import { startRegistry } from '@oscompose/queue/testing';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { memoryBench, timed } from './memory';

const MB = 1024 * 1024;

/** Regular files under dirs, sorted, until `budget` bytes: real binaries of real compressibility. */
function realFiles(dirs: string[], budget: number, skip = 0): { path: string; data: Buffer }[] {
  const out: { path: string; data: Buffer }[] = [];
  let total = 0;
  let skipped = 0;
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      if (total >= budget) return;
      const p = join(d, n);
      let s;
      try {
        s = statSync(p);
      } catch {
        continue;
      }
      if (s.isDirectory()) walk(p);
      else if (s.isFile() && s.size > 4096 && s.size < 4 * MB) {
        if (skipped < skip) {
          skipped += s.size;
          continue;
        }
        out.push({ path: p, data: readFileSync(p) });
        total += s.size;
      }
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

function toEntries(files: { path: string; data: Buffer }[], prefix: string): FsEntry[] {
  const dirs = new Set<string>();
  const entries: FsEntry[] = [];
  for (const f of files) {
    const rel = `${prefix}/${f.path.replace(/^\/+/, '')}`.replace(/^\/+/, '');
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ path: d, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 });
      }
    }
    entries.push({ path: rel, type: 'file', mode: 0o755, uid: 0, gid: 0, size: f.data.length, content: f.data });
  }
  return entries;
}

/** Other work on the machine, from /proc/loadavg (1-minute average, runnable processes). */
function machineLoad(): { avg1: number; running: number } {
  try {
    const f = readFileSync('/proc/loadavg', 'utf8').split(' ');
    return { avg1: Number(f[0]), running: Number(f[3]!.split('/')[0]) - 1 };
  } catch {
    return { avg1: loadavg()[0]!, running: 0 };
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const loadBefore = machineLoad();
  const work = await mkdtemp(join(tmpdir(), 'oscompose-bench-'));
  const store = join(work, 'store');
  try {
    const kdir = join(process.env.OSCOMPOSE_CACHE ?? join(homedir(), '.cache', 'oscompose'), 'test-kernel');
    const modules = existsSync(kdir) ? readdirSync(kdir).map((d) => join(kdir, d, 'lib/modules')).filter(existsSync) : [];
    const moduleSrc = modules.length ? modules : ['/usr/lib/x86_64-linux-gnu'];
    const libs = ['/usr/lib/x86_64-linux-gnu', '/usr/bin', '/usr/sbin', '/usr/libexec'];
    const kernelBin = existsSync('/boot') ? readdirSync('/boot').find((f) => f.startsWith('vmlinuz')) : undefined;
    const kernel = kernelBin ? readFileSync(join('/boot', kernelBin)) : Buffer.alloc(8 * MB, 1);

    const modTar = await tarBuffer(toEntries(realFiles(moduleSrc, 14 * MB), 'lib/modules'));
    await writeImage(store, { ref: 'localhost:5000/bench/kernel:1', layers: [await tarBuffer([entry('kernel', kernel), entry('kernel.tar', modTar)])] });
    await writeImage(store, { ref: 'localhost:5000/bench/init:1', layers: [await tarBuffer(toEntries(realFiles(libs, 7 * MB, 0), ''))] });
    const services = ['sshd', 'dhcpcd', 'ntpd', 'getty', 'rngd'];
    let offset = 7 * MB;
    for (const s of services) {
      await writeImage(store, { ref: `localhost:5000/bench/${s}:1`, config: { Cmd: [`/usr/bin/${s}`] }, layers: [await tarBuffer(toEntries(realFiles(libs, 3.6 * MB, offset), ''))] });
      offset += 3.6 * MB;
    }
    // the one-service change: same files, one of them different
    const changed = toEntries(realFiles(libs, 3.6 * MB, 7 * MB + 3.6 * MB * 2), '');
    changed.push(entry('etc/ntpd.conf', 'server pool.ntp.org iburst\n'));
    await writeImage(store, { ref: 'localhost:5000/bench/ntpd:2', config: { Cmd: ['/usr/bin/ntpd'] }, layers: [await tarBuffer(changed)] });

    const spec = (ntpdTag: string): Spec => ({
      kernel: { image: 'localhost:5000/bench/kernel:1', cmdline: 'console=ttyS0' },
      init: ['localhost:5000/bench/init:1'],
      onboot: [{ name: 'dhcpcd', image: 'localhost:5000/bench/dhcpcd:1' }],
      services: services.filter((s) => s !== 'dhcpcd').map((s) => ({ name: s, image: `localhost:5000/bench/${s}:${s === 'ntpd' ? ntpdTag : '1'}` })),
      files: [{ path: 'etc/issue', contents: 'bench\n' }],
    });

    let cacheDir = join(work, 'cache');
    // OSCOMPOSE_BENCH_LEVEL=N: the builds use gzip level N (default: the engine's default).
    const level = process.env.OSCOMPOSE_BENCH_LEVEL ? Number(process.env.OSCOMPOSE_BENCH_LEVEL) : undefined;
    const run = async (label: string, s: Spec, extra: Partial<BuildOptions> = {}) => {
      const images = await defaultImageProvider({ cacheDir, imageStores: [store], pull: false, arch: 'amd64', insecureRegistries: [] });
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const res = await build({ spec: s, images, outDir: join(work, 'out'), name: 'bench', cacheDir, compressionLevel: level, ...extra });
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const raw = res.sections.reduce((n, x) => n + x.bytes, 0);
      const initrd = res.artifacts.find((a) => a.name.endsWith('initrd.img'))!;
      const rebuilt = res.sections.filter((x) => !x.cached).map((x) => x.id);
      return { label, ms, cpuMs, raw, initrd, rebuilt };
    };

    // OSCOMPOSE_BENCH_MEMORY=only: just the peak-RSS runs; =0: without them.
    if (process.env.OSCOMPOSE_BENCH_MEMORY === 'only') {
      if (process.env.LINUXKIT) await sideBySide(process.env.LINUXKIT, work, store, services, spec, { timing: false });
      else await memoryBench({ work, store, spec });
      return;
    }
    if (process.env.OSCOMPOSE_BENCH_PROFILE === 'cold') {
      // Profiling aid: one cold build; the window (µs, CLOCK_MONOTONIC as in a .cpuprofile) is printed.
      const from = process.hrtime.bigint() / 1000n;
      console.log(await run('cold', spec('1')));
      console.log(`profile window ${from} ${process.hrtime.bigint() / 1000n}`);
      return;
    }
    if (process.env.OSCOMPOSE_BENCH_PROFILE) {
      // Profiling aid: only the layout path, twice (node --cpu-prof … bench/engine.ts).
      for (let i = 0; i < 2; i++) console.log(await run('layout only', spec('1'), { sectionCache: false, compression: 'none' }));
      return;
    }
    // The first build in a process also pays for loading the image and compression modules.
    const first = await run('cold, first build in process', spec('1'));
    // Cold proper: median of 3 builds, each with an empty section cache of its own.
    const colds: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < 3; i++) {
      cacheDir = join(work, `cache-${i}`);
      colds.push(await run('cold (empty section cache)', spec('1')));
    }
    const cold = colds.find((c) => c.ms === median(colds.map((x) => x.ms)))!;
    const warm = await run('warm (all sections cached)', spec('1'));
    const incr = await run('one service changed', spec('2'));
    const nocache = await run('cold, --no-section-cache', spec('1'), { sectionCache: false });

    // Baseline in the same process: the same uncompressed tree, gzip'ed by one core (what a
    // single-stream writer such as LinuxKit's does), and by gzip(1).
    const rawRun = await run('no compression (layout only)', spec('1'), { sectionCache: false, compression: 'none' });
    const rawBytes = await readFile(rawRun.initrd.path);
    // Median of 3, like cold.
    let single = Buffer.alloc(0);
    const singles: number[] = [];
    const singleCpus: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      single = gzipSync(rawBytes, { level: 6 });
      singles.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      singleCpus.push((c.user + c.system) / 1000);
    }
    const singleMs = median(singles);
    const loadAfter = machineLoad();
    const t1 = performance.now();
    execFileSync('sh', ['-c', `gzip -6 -c "$1" > /dev/null`, 'sh', rawRun.initrd.path]);
    const gzipMs = performance.now() - t1;

    const mb = (n: number) => (n / MB).toFixed(1);
    const line = (r: typeof cold) =>
      `${r.label.padEnd(30)} ${r.ms.toFixed(0).padStart(6)} ms  ${(r.raw / MB / (r.ms / 1000)).toFixed(1).padStart(6)} MB/s  CPU ${r.cpuMs.toFixed(0).padStart(5)} ms (${(r.cpuMs / r.ms).toFixed(2)} cores)  initrd ${mb(r.initrd.size)} MB  rebuilt: ${r.rebuilt.join(', ') || 'none'}`;
    console.log(`oscompose engine benchmark — gzip level ${level ?? DEFAULT_GZIP_LEVEL}, ${cpus().length} cores, ${mb(cold.raw)} MB initramfs (uncompressed cpio), ${services.length} containers, real binaries`);
    const loaded = loadBefore.avg1 >= 0.5 || loadBefore.running > 0;
    console.log(
      `machine load before: ${loadBefore.avg1.toFixed(2)} (1-min average), ${loadBefore.running} other runnable; after: ${loadAfter.avg1.toFixed(2)}` +
        (loaded ? ' — LOADED: other work competed for the cores; absolute times are pessimistic, compare the ratios' : ' — idle'),
    );
    for (const r of [first, ...colds.map((c, i) => ({ ...c, label: `${c.label} #${i + 1}` })), warm, incr, nocache, rawRun]) console.log(line(r));
    console.log(`${'baseline: zlib gzip, 1 core'.padEnd(30)} ${singleMs.toFixed(0).padStart(6)} ms  ${(rawBytes.length / MB / (singleMs / 1000)).toFixed(1).padStart(6)} MB/s  (compression only: ${mb(rawBytes.length)} → ${mb(single.length)} MB)`);
    console.log(`${'baseline: gzip -6 (1)'.padEnd(30)} ${gzipMs.toFixed(0).padStart(6)} ms`);
    console.log(`cold (median of 3): ${(cold.ms / 1000).toFixed(2)} s for ${mb(cold.raw)} MB = ${(cold.raw / MB / (cold.ms / 1000)).toFixed(1)} MB/s`);
    console.log(`ratio cold build / 1-core gzip of the same tree (median of 3): ${(cold.ms / singleMs).toFixed(2)} wall time (lower is better)`);
    // CPU time hardly depends on what else runs: the figure to compare between loaded runs.
    console.log(
      `CPU time of the cold build / of the 1-core gzip: ${(median(colds.map((c) => c.cpuMs)) / median(singleCpus)).toFixed(2)} (${median(colds.map((c) => c.cpuMs)).toFixed(0)} / ${median(singleCpus).toFixed(0)} ms; ` +
        `an idle 2-core machine gives a wall time of about half the build's CPU time)`,
    );
    console.log(
      `LinuxKit v1.7.1 reference (issue 4, same 2 cores): ~2.8 s for a 39 MB initramfs; target cold <= 1.4 s -> ${cold.ms <= 1400 ? 'met' : 'NOT met'} in this run (${(2800 / cold.ms).toFixed(1)}x LinuxKit's figure)`,
    );
    console.log(`ratio warm / cold: ${(warm.ms / cold.ms).toFixed(2)}, one-service change / cold: ${(incr.ms / cold.ms).toFixed(2)}`);
    if (process.env.LINUXKIT) await sideBySide(process.env.LINUXKIT, work, store, services, spec);
    else {
      console.log('side by side with LinuxKit: skipped (set LINUXKIT=/path/to/linuxkit v1.7.1)');
      if (process.env.OSCOMPOSE_BENCH_MEMORY !== '0') await memoryBench({ work, store, spec });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The same spec built by LinuxKit and by the oscompose CLI, each as its own process (start-up
 * included), both pulling from one registry on 127.0.0.1 into their own cache. Cold: blobs
 * cached, no section reuse; warm: sections cached (LinuxKit has no such cache: it rebuilds);
 * one-container change: ntpd:1 → ntpd:2 after a warm build.
 */
async function sideBySide(linuxkit: string, work: string, store: string, services: string[], spec: (tag: string) => Spec, opts: { timing?: boolean } = {}) {
  const registry = await startRegistry();
  try {
    for (const name of ['kernel', 'init', ...services]) await pushImage(registry.host, `localhost:5000/bench/${name}:1`, store);
    await pushImage(registry.host, 'localhost:5000/bench/ntpd:2', store);
    const memory = () =>
      memoryBench({ work, store, spec, linuxkit: { bin: linuxkit, registryHost: registry.host, push: async (ref) => void (await pushImage(registry.host, ref, store)) } });
    if (opts.timing === false) {
      await memory();
      return;
    }
    const yaml = (tag: string) => {
      const file = join(work, `side-${tag}.yml`);
      writeFileSync(file, JSON.stringify(spec(tag)).replaceAll('localhost:5000/', `${registry.host}/`));
      return file;
    };
    const [one, two] = [yaml('1'), yaml('2')];
    execFileSync('mkdir', ['-p', join(work, 'lk-out'), join(work, 'side-out')]);
    const cli = fileURLToPath(new URL('../bin/oscompose.mjs', import.meta.url));
    const lk = (f: string) => timed([linuxkit, 'build', '--no-sbom', '--format', 'kernel+initrd', '--cache', join(work, 'lk-cache'), '--dir', join(work, 'lk-out'), '--name', 'side', f]);
    // --no-sbom as LinuxKit's run above: the same work on both sides.
    const ours = (f: string, extra: string[] = []) => timed(['node', cli, 'build', '-q', '--no-sbom', '--cache', join(work, 'side-cache'), '--dir', join(work, 'side-out'), '--name', 'side', ...extra, f]);
    const help = () => timed(['node', cli, '--help']);
    const validate = () => timed(['node', cli, 'validate', one]);
    // Fill both blob caches (and pull ntpd:2) first: "cold" means no section reuse, not a download.
    lk(one); lk(two); ours(one); ours(two);
    type Timed = ReturnType<typeof timed>;
    const med = (f: () => Timed) => {
      const r = [f(), f(), f()].sort((a, b) => a.s - b.s)[1]!;
      return r;
    };
    const lkCold = med(() => lk(one));
    const lkChange = med(() => lk(two));
    const ourCold = med(() => ours(one, ['--no-section-cache']));
    const ourWarm = med(() => ours(one));
    const ourChange = med(() => { ours(one); return ours(two); });
    const h = med(help);
    const v = med(validate);
    const row = (label: string, o: Timed, l: Timed) =>
      console.log(
        `${label.padEnd(24)} oscompose ${o.s.toFixed(2)} s (CPU ${o.cpuS.toFixed(2)} s) ${o.rssMb.toFixed(0).padStart(4)} MB peak   ` +
          `linuxkit ${l.s.toFixed(2)} s (CPU ${l.cpuS.toFixed(2)} s) ${l.rssMb.toFixed(0).padStart(4)} MB peak   ratio ${(o.s / l.s).toFixed(2)} wall, ${(o.cpuS / l.cpuS).toFixed(2)} CPU`,
      );
    console.log(`side by side with ${linuxkit} (each a fresh process, median of 3 by wall time; wall, CPU (user+sys) and peak RSS from GNU time):`);
    row('cold (blobs cached)', ourCold, lkCold);
    row('warm', ourWarm, lkCold);
    row('one container changed', ourChange, lkChange);
    console.log(`oscompose --help ${h.s.toFixed(2)} s (${h.rssMb.toFixed(0)} MB), validate ${v.s.toFixed(2)} s (${v.rssMb.toFixed(0)} MB)`);
    if (process.env.OSCOMPOSE_BENCH_MEMORY !== '0') await memory();
  } finally {
    await registry.stop();
  }
}

function entry(path: string, data: string | Buffer): FsEntry {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data);
  return { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: b.length, content: b };
}

await main();
