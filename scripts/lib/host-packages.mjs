// The host packages step of `npm start`, `npm test` and .ci/run: reads scripts/host-packages.txt
// (the one list), finds what is missing by its probe file, installs it with apt-get when it can
// (root or passwordless sudo), else stops with the one command that would. Tests use
// requireHostTool() so a missing tool fails naming its package, never with a bare ENOENT.
// Node built-ins only: this runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOST_PACKAGES_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../host-packages.txt');
export const SKIP_VARIABLE = 'OSCOMPOSE_SKIP_HOST_PACKAGES';

/** Parses the list: one `package needs probe purpose…` row per line; `#` starts a comment. */
export function parseHostPackages(text) {
  const rows = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const [name, needs, probe, ...purpose] = line.split(/\s+/);
    if (!probe || !purpose.length || !['start', 'test'].includes(needs)) {
      throw new Error(`${HOST_PACKAGES_FILE}:${i + 1}: expected "package start|test probe purpose…", got "${raw.trim()}"`);
    }
    rows.push({ name, needs, probe, purpose: purpose.join(' ') });
  });
  return rows;
}

export function readHostPackages(file = HOST_PACKAGES_FILE) {
  return parseHostPackages(readFileSync(file, 'utf8'));
}

/** The packages a purpose needs: 'start' → the product's; 'test' → everything. */
export function packagesFor(purpose, rows = readHostPackages()) {
  return rows.filter((r) => purpose === 'test' || r.needs === 'start');
}

/** Where a probe is: an absolute path that exists, or an executable on PATH (or the sbin dirs). */
export function locateProbe(probe, env = process.env) {
  if (path.isAbsolute(probe)) {
    try {
      accessSync(probe, constants.R_OK);
      return probe;
    } catch {
      return null;
    }
  }
  const dirs = (env.PATH ?? '').split(':').filter(Boolean);
  for (const extra of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!dirs.includes(extra)) dirs.push(extra);
  for (const dir of dirs) {
    const candidate = path.join(dir, probe);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

export function missingPackages(rows, locate = locateProbe) {
  return rows.filter((r) => !locate(r.probe));
}

export const installCommand = (names) => `sudo apt-get install -y --no-install-recommends ${names.join(' ')}`;

/**
 * The message for a missing tool (by its probe: a command or a path), naming the package from
 * the list. Unknown tools get a plain "not installed".
 */
export function hostToolHelp(probe, rows = readHostPackages()) {
  const row = rows.find((r) => r.probe === probe || path.basename(r.probe) === probe);
  if (!row) return `${probe} is not installed on this host.`;
  const skipped = process.env[SKIP_VARIABLE] === '1' ? ` (${SKIP_VARIABLE}=1 is set, so npm test did not install it)` : '';
  return `${probe} is missing: install the Debian package ${row.name} (${row.purpose}): ${installCommand([row.name])}${skipped}`;
}

/** Throws an Error naming the package when the tool is absent; returns its path otherwise. */
export function requireHostTool(probe) {
  const found = locateProbe(probe);
  if (!found) throw new Error(hostToolHelp(probe));
  return found;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** How apt-get can be run here: [] as root, ['sudo', '-n'] with passwordless sudo, null otherwise. */
export function privilege() {
  if (!locateProbe('apt-get')) return null;
  if (isRoot()) return [];
  if (locateProbe('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return ['sudo', '-n'];
  return null;
}

export class HostPackagesError extends Error {}

/**
 * Makes sure the host packages `purpose` needs are installed. Prints one line per step through
 * `say`. Returns the rows still missing (only when skipped). Throws HostPackagesError with the
 * one install command when they are missing and cannot be installed from here.
 */
export function ensureHostPackages(purpose, { say = console.log, warn = console.warn, env = process.env } = {}) {
  const rows = packagesFor(purpose);
  const missing = missingPackages(rows);
  if (!missing.length) return [];
  const names = missing.map((r) => r.name);
  if (env[SKIP_VARIABLE] === '1') {
    warn(
      `oscompose: ${SKIP_VARIABLE}=1: not installing ${names.join(' ')}; what needs them will say so.\n` +
        missing.map((r) => `  ${r.name.padEnd(22)} ${r.purpose}`).join('\n'),
    );
    return missing;
  }
  const sudo = privilege();
  if (!sudo) {
    const how = locateProbe('apt-get')
      ? `Install them with:\n\n  ${installCommand(names)}\n`
      : `This host has no apt-get: install the equivalents with its package manager.\n`;
    throw new HostPackagesError(
      `these host packages are missing (scripts/host-packages.txt says what each is for):\n` +
        missing.map((r) => `  ${r.name.padEnd(22)} ${r.purpose}`).join('\n') +
        `\n${how}then run the command again, or set ${SKIP_VARIABLE}=1 to go on without them.`,
    );
  }
  const apt = (args) => {
    const [cmd, ...pre] = [...sudo, 'apt-get'];
    const res = spawnSync(cmd, [...pre, ...args], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (res.status !== 0) {
      const out = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
      throw new HostPackagesError(`apt-get ${args.join(' ')} failed (exit ${res.status ?? res.signal}):\n${out}\nInstall them yourself: ${installCommand(names)}`);
    }
  };
  say(`installing ${names.length} host package(s) with apt-get: ${names.join(' ')}`);
  const started = Date.now();
  say('apt-get update…');
  apt(['update', '-qq']);
  say('apt-get install…');
  apt(['install', '-y', '-qq', '--no-install-recommends', ...names]);
  const still = missingPackages(missing);
  if (still.length) {
    throw new HostPackagesError(`apt-get installed ${names.join(' ')}, but these are still not found: ${still.map((r) => `${r.probe} (${r.name})`).join(', ')}`);
  }
  say(`host packages installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return [];
}

// `node scripts/lib/host-packages.mjs names [start|test]`: the names, one a line (.ci/run).
// `node scripts/lib/host-packages.mjs ensure [start|test]`: the step as npm start/test do it.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, purpose = 'test'] = process.argv.slice(2);
  if (command === 'names') {
    for (const r of packagesFor(purpose)) console.log(r.name);
  } else if (command === 'ensure') {
    try {
      ensureHostPackages(purpose, { say: (l) => console.log(`oscompose ${l}`) });
    } catch (err) {
      console.error(`oscompose: ${err.message}`);
      process.exit(1);
    }
  } else {
    console.error('usage: host-packages.mjs names|ensure [start|test]');
    process.exit(2);
  }
}
