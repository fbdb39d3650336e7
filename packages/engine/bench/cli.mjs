#!/usr/bin/env node
// `npm run bench:cli`: how long `oscompose` takes to start, as whole processes. The compiled CLI
// (bin/oscompose.mjs running the bundle) against the same bin running the TypeScript source
// through tsx (OSCOMPOSE_FROM_SOURCE=1, how it ran before), and against `node -e 0` (Node's own
// start, the floor). Runs alternate A B A B so a machine whose speed drifts affects both alike;
// the ratios and differences are taken run by run. Prints min / median / max wall seconds, and
// CPU seconds (user + sys, from GNU time where installed), which a loaded machine inflates less.
//
//   npm run bench:cli [-- --runs N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBundle } from '../../../scripts/lib/bundle.mjs';

const BIN = fileURLToPath(new URL('../bin/oscompose.mjs', import.meta.url));
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;

const dir = mkdtempSync(path.join(tmpdir(), 'oscompose-bench-cli-'));
const spec = path.join(dir, 'spec.yml');
writeFileSync(
  spec,
  `kernel:\n  image: linuxkit/kernel:6.6.13\n  cmdline: console=ttyS0\ninit:\n  - linuxkit/init:v1.0.0\n  - linuxkit/runc:v1.0.0\nonboot:\n  - name: dhcpcd\n    image: linuxkit/dhcpcd:v1.0.0\n    command: ["/sbin/dhcpcd", "--nobackground", "-f", "/dhcpcd.conf", "-1"]\nservices:\n  - name: getty\n    image: linuxkit/getty:v1.0.0\n    env: [INSECURE=true]\nfiles:\n  - path: etc/issue\n    contents: "welcome\\n"\n`,
);

// CPU seconds (user + sys) come from GNU time where it is installed: on a loaded machine they
// say more than wall time, which includes waiting for a core.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** One run: wall seconds (and CPU seconds into `into`); throws when the command fails (a broken bundle must not look fast). */
function once(argv, env, into) {
  const [cmd, args] = GNU_TIME ? [GNU_TIME, ['-f', 'cpu %U %S', process.execPath, ...argv]] : [process.execPath, argv];
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /cpu (\S+) (\S+)\s*$/.exec(r.stderr);
  if (m && into) into.push(Number(m[1]) + Number(m[2]));
  return s;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (x, d = 3) => x.toFixed(d).padStart(8);
const row = (label, xs, d) => {
  const { min, median, max } = stats(xs);
  console.log(`${label.padEnd(34)} ${fmt(min, d)} ${fmt(median, d)} ${fmt(max, d)}`);
};

const built = await ensureBundle('cli');
if (!built.entry) throw new Error(`no CLI bundle: ${built.why}`);
console.log(`oscompose CLI start-up, ${RUNS} runs each after one warm-up; ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}; wall seconds`);
console.log(`${''.padEnd(34)} ${'min'.padStart(8)} ${'median'.padStart(8)} ${'max'.padStart(8)}`);

for (const [name, args, key] of [
  ['--help', ['--help'], 'help'],
  ['validate', ['validate', spec], 'validate'],
]) {
  const c = { bundle: [], source: [], floor: [] };
  const floor = [];
  const bundle = [];
  const source = [];
  for (let i = 0; i <= RUNS; i++) {
    const warm = i === 0;
    const f = once(['-e', '0'], {}, warm ? null : c.floor);
    const a = once([BIN, ...args], {}, warm ? null : c.bundle);
    const b = once([BIN, ...args], { OSCOMPOSE_FROM_SOURCE: '1' }, warm ? null : c.source);
    if (!warm) floor.push(f), bundle.push(a), source.push(b);
  }
  row(`oscompose ${name} (compiled)`, bundle);
  row(`oscompose ${name} (tsx, before)`, source);
  row('node -e 0 (the floor)', floor);
  row('  ratio compiled / tsx', bundle.map((a, i) => a / source[i]), 2);
  row('  compiled minus the floor', bundle.map((a, i) => a - floor[i]));
  if (c.bundle.length === RUNS) {
    row(`  CPU s compiled`, c.bundle);
    row(`  CPU s tsx`, c.source);
    row(`  CPU s node -e 0`, c.floor);
    row(`  CPU ratio compiled / tsx`, c.bundle.map((a, i) => a / c.source[i]), 2);
  }
}
rmSync(dir, { recursive: true, force: true });
