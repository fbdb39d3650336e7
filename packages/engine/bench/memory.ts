// Peak memory of a build, as whole `oscompose build` processes (GNU time's maximum resident set
// size): the benchmark's ~39 MB initramfs spec, and the same spec plus a service whose image
// has a layer holding one 4 GiB file. The big layer is generated streamed (a gzip'd tar of
// zeros, ~4 MB on disk) into the bench's temporary image store; the build's own outputs go to
// the bench's temp dir too, removed afterwards. With LINUXKIT (and a registry holding the same
// images) LinuxKit builds both specs as well. Targets (issue 14): <= 150 MB and <= 300 MB.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import type { Spec } from '@oscompose/spec';
import { addToIndex, blobPath, initLayout, writeBlob } from '../src/oci/layout';
import { normaliseReference } from '../src/oci/reference';
import { tarStream } from '../src/oci/tar';
import { MediaType } from '../src/oci/types';

const MB = 1024 * 1024;
export const BIG_FILE_BYTES = 4 * 2 ** 30;
export const BIG_REF = 'localhost:5000/bench/big:1';

/** Writes an image whose one layer holds data/big (`bytes` zeros), streamed: never in memory, ~bytes/1000 on disk. */
export async function writeBigImage(store: string, ref: string, bytes: number): Promise<void> {
  await initLayout(store);
  const zeros = Buffer.alloc(MB);
  async function* content(): AsyncGenerator<Buffer> {
    for (let left = bytes; left > 0; left -= MB) yield left >= MB ? zeros : zeros.subarray(0, left);
  }
  const diff = createHash('sha256');
  const digest = createHash('sha256');
  let size = 0;
  const tmp = join(store, `big-${process.pid}.tmp`);
  const tar = tarStream([
    { path: 'data', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 },
    { path: 'data/big', type: 'file', mode: 0o644, uid: 0, gid: 0, size: bytes, content: content() },
  ]);
  await pipeline(
    Readable.from(tar),
    async function* (src: AsyncIterable<Buffer>) {
      for await (const c of src) {
        diff.update(c);
        yield c;
      }
    },
    createGzip({ level: 1, chunkSize: MB }),
    async function* (src: AsyncIterable<Buffer>) {
      for await (const c of src) {
        digest.update(c);
        size += c.length;
        yield c;
      }
    },
    createWriteStream(tmp),
  );
  const layer = { mediaType: MediaType.ociLayerGzip, digest: `sha256:${digest.digest('hex')}`, size };
  await rename(tmp, blobPath(store, layer.digest));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/true'] }, rootfs: { type: 'layers', diff_ids: [`sha256:${diff.digest('hex')}`] } }));
  const configDesc = await writeBlob(store, config, MediaType.ociConfig);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: configDesc, layers: [layer] }));
  const manifestDesc = await writeBlob(store, manifest, MediaType.ociManifest);
  await addToIndex(store, manifestDesc, normaliseReference(ref).name);
}

/** Wall time (s), CPU time (s) and peak RSS (MB) of one command, from GNU time. */
export function timed(cmd: string[], env: NodeJS.ProcessEnv = process.env): { s: number; cpuS: number; rssMb: number } {
  const r = timedRun(cmd, env);
  if (r.code !== 0) throw new Error(`${cmd.slice(0, 3).join(' ')} failed: ${r.stderr.slice(-1500)}`);
  return r;
}

/** As timed(), for a command that may fail: its exit code and stderr too. */
export function timedRun(cmd: string[], env: NodeJS.ProcessEnv = process.env): { s: number; cpuS: number; rssMb: number; code: number; stderr: string } {
  const out = join(tmpdir(), `oscompose-bench-time-${process.pid}`);
  let code = 0;
  let stderr = '';
  try {
    execFileSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', out, ...cmd], { stdio: ['ignore', 'ignore', 'pipe'], env, maxBuffer: 64 * MB });
  } catch (e) {
    const err = e as { status?: number | null; stderr?: Buffer };
    code = err.status ?? 1;
    stderr = String(err.stderr ?? e);
  }
  // GNU time writes "Command exited with non-zero status N" before the figures.
  const [s, user, sys, kb] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-4).map(Number);
  return { s: s!, cpuS: user! + sys!, rssMb: kb! / 1024, code, stderr };
}

export interface MemoryBenchOptions {
  work: string;
  store: string;
  spec: (tag: string) => Spec;
  /** LinuxKit, with a registry on 127.0.0.1 holding the same images (BIG_REF included). */
  linuxkit?: { bin: string; registryHost: string; push: (ref: string) => Promise<void> };
}

/** Prints peak RSS of the normal and the 4 GiB-file builds (and LinuxKit's, when given). */
export async function memoryBench(o: MemoryBenchOptions): Promise<void> {
  const free = execFileSync('df', ['-h', '--output=avail', o.work]).toString().trim().split('\n').pop()!.trim();
  console.log(`memory: free disk in ${o.work}: ${free} (the 4 GiB layer is ~${(BIG_FILE_BYTES / 1000 / MB).toFixed(0)} MB gzip'd; outputs are small)`);
  const t0 = performance.now();
  await writeBigImage(o.store, BIG_REF, BIG_FILE_BYTES);
  console.log(`memory: wrote ${BIG_REF} (one layer, data/big = 4 GiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const withBig = (tag: string): Spec => {
    const s = o.spec(tag);
    return { ...s, services: [...(s.services ?? []), { name: 'big', image: BIG_REF }] };
  };
  const file = (name: string, s: Spec, host?: string) => {
    const p = join(o.work, `${name}.yml`);
    const text = JSON.stringify(s);
    writeFileSync(p, host ? text.replaceAll('localhost:5000/', `${host}/`) : text);
    return p;
  };
  const cli = fileURLToPath(new URL('../bin/oscompose.mjs', import.meta.url));
  execFileSync('mkdir', ['-p', join(o.work, 'mem-out'), join(o.work, 'mem-lk-out')]);
  // Over the default 4 GiB per-image limit: the setting raises it (the test suite checks the refusal).
  const ours = (f: string) =>
    timed(['node', cli, 'build', '-q', '--no-sbom', '--no-section-cache', '--max-image-bytes', '5G', '--image-store', o.store, '--cache', join(o.work, 'mem-cache'), '--dir', join(o.work, 'mem-out'), '--name', 'mem', f]);
  const normal = file('mem-normal', o.spec('1'));
  const big = file('mem-big', withBig('1'));
  ours(normal); // fills the blob cache's index; the measured runs below do not download
  const n = [ours(normal), ours(normal), ours(normal)].sort((a, b) => a.rssMb - b.rssMb)[1]!;
  const b = ours(big);
  // A decompression bomb: the same 4 GiB layer under a 1 GiB limit. Refused as it crosses the
  // limit, the build stops after about a quarter of the full build's work (CPU time: wall time
  // on a shared machine says more about the neighbours), with little memory.
  const bombArgs = ['node', cli, 'build', '-q', '--no-sbom', '--no-section-cache', '--max-image-bytes', '1G', '--image-store', o.store, '--cache', join(o.work, 'mem-cache'), '--dir', join(o.work, 'mem-out'), '--name', 'bomb', big];
  const bomb = timedRun(bombArgs);
  const refusal = bomb.stderr.split('\n').find((l) => /decompresses to more than/.test(l))?.trim();
  const row = (label: string, r: { s: number; rssMb: number }, target: number, lk?: { s: number; rssMb: number }) =>
    console.log(
      `${label.padEnd(34)} oscompose ${r.rssMb.toFixed(0).padStart(5)} MB peak (${r.s.toFixed(1)} s; target <= ${target} MB: ${r.rssMb <= target ? 'met' : 'NOT met'})` +
        (lk ? `   linuxkit ${lk.rssMb.toFixed(0).padStart(5)} MB peak (${lk.s.toFixed(1)} s)   ratio ${(r.rssMb / lk.rssMb).toFixed(2)}` : ''),
    );
  let lkNormal: { s: number; rssMb: number } | undefined;
  let lkBig: { s: number; rssMb: number } | undefined;
  if (o.linuxkit) {
    await o.linuxkit.push(BIG_REF);
    const lk = (f: string) => timed([o.linuxkit!.bin, 'build', '--no-sbom', '--format', 'kernel+initrd', '--cache', join(o.work, 'mem-lk-cache'), '--dir', join(o.work, 'mem-lk-out'), '--name', 'mem', f]);
    const ln = file('mem-lk-normal', o.spec('1'), o.linuxkit.registryHost);
    const lb = file('mem-lk-big', withBig('1'), o.linuxkit.registryHost);
    lk(ln); // pulls into its cache
    lkNormal = [lk(ln), lk(ln), lk(ln)].sort((a, b) => a.rssMb - b.rssMb)[1]!;
    lk(lb); // pulls the big image
    lkBig = lk(lb);
  }
  console.log('peak RSS of `oscompose build` (a fresh process, kernel+initrd, no section reuse; GNU time; median of 3 for the normal spec, one run with the 4 GiB file):');
  row('normal spec (~39 MB initramfs)', n, 150, lkNormal);
  row('+ a layer with one 4 GiB file', b, 300, lkBig);
  console.log(
    `${'bomb: 4 GiB layer, 1 GiB limit'.padEnd(34)} oscompose ${bomb.rssMb.toFixed(0).padStart(5)} MB peak, exit ${bomb.code} after ${bomb.s.toFixed(1)} s, ${bomb.cpuS.toFixed(1)} s CPU ` +
      `(${(bomb.cpuS / b.cpuS).toFixed(2)} of the full 4 GiB build's ${b.cpuS.toFixed(1)} s CPU; refused as it crosses the limit: ${bomb.code !== 0 && refusal && bomb.cpuS < b.cpuS / 2 ? 'yes' : 'NO'})`,
  );
  console.log(`  ${refusal ?? `no refusal message; stderr: ${bomb.stderr.slice(-300)}`}`);
  if (!o.linuxkit) console.log('LinuxKit peak RSS: skipped (set LINUXKIT=/path/to/linuxkit v1.7.1)');
}
