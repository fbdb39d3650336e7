// Checks the schema cannot express: unique service names, what kind of entry each file is,
// octal modes, bind/tmpfs/rlimit syntax, namespaces, capabilities, image references and the
// volumes containers bind. Pure: a typed spec in, findings (path + message) out.
import type { ImageConfig, ImageSection, Spec } from './schema';
import { imageSections } from './schema';
import { referenceProblem } from './reference';
import { suggest } from './messages';

export interface Finding {
  path: (string | number)[];
  message: string;
  severity?: 'error' | 'warning';
  /** Point at the key rather than the value. */
  onKey?: boolean;
}

type Path = (string | number)[];

// The checks also run on a spec whose schema check failed (with the bad values taken out), so a
// user sees every problem at once; hence they never trust that an item is present.
function each<T>(list: readonly (T | null | undefined)[] | undefined, fn: (item: T, index: number) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    if (item !== null && item !== undefined) fn(item, i);
  });
}
const isStr = (v: unknown): v is string => typeof v === 'string';

export const CAPABILITIES = [
  'CAP_AUDIT_CONTROL', 'CAP_AUDIT_READ', 'CAP_AUDIT_WRITE', 'CAP_BLOCK_SUSPEND', 'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER',
  'CAP_FSETID', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_KILL', 'CAP_LEASE', 'CAP_LINUX_IMMUTABLE',
  'CAP_MAC_ADMIN', 'CAP_MAC_OVERRIDE', 'CAP_MKNOD', 'CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_RAW', 'CAP_PERFMON', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP',
  'CAP_SETUID', 'CAP_SYSLOG', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_CHROOT', 'CAP_SYS_MODULE',
  'CAP_SYS_NICE', 'CAP_SYS_PACCT', 'CAP_SYS_PTRACE', 'CAP_SYS_RAWIO', 'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_WAKE_ALARM',
] as const;

export const RLIMITS = [
  'as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc',
  'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
] as const;

/** A container or volume name ends up as a directory name and a runc/containerd id. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;

/**
 * `local` checks need only one file; `cross` checks (service names, volumes that binds name)
 * span every file of a build, so for `linuxkit build a.yml b.yml` they run on the merged spec.
 */
export type CheckScope = 'all' | 'local' | 'cross';

export function checkSemantics(spec: Spec, scope: CheckScope = 'all'): Finding[] {
  const all: Finding[] = [];
  const cross = new Set<Finding>();
  const err = (path: Path, message: string, onKey = false) => all.push({ path, message, severity: 'error', onKey });
  const warn = (path: Path, message: string, onKey = false) => all.push({ path, message, severity: 'warning', onKey });
  const crossErr = (path: Path, message: string) => { err(path, message); cross.add(all[all.length - 1]!); };
  const crossWarn = (path: Path, message: string) => { warn(path, message); cross.add(all[all.length - 1]!); };

  const ref = (path: Path, value: string) => {
    const problem = referenceProblem(value);
    if (problem) return err(path, problem);
    // Docker reads a first component with capitals as a registry host; almost always a typo.
    const first = value.split('/')[0]!;
    if (value.includes('/') && first !== first.toLowerCase() && !/[.:]/.test(first)) {
      warn(path, `\`${first}\` is read as a registry host because it has capitals; write \`${value.toLowerCase()}\` for a Docker Hub image`);
    }
  };

  if (isStr(spec.kernel?.image)) ref(['kernel', 'image'], spec.kernel.image);
  if (spec.kernel && spec.kernel.image === undefined && Object.keys(spec.kernel).length > 0) {
    // Cross-file: another file of the build may supply the image.
    warn(['kernel'], 'the kernel section has no `image`; add one, or give the build another file that does', true);
    cross.add(all[all.length - 1]!);
  }
  each(spec.init, (r, i) => { if (isStr(r)) ref(['init', i], r); });

  const volumeNames = new Set<string>();
  const readonlyVolumes = new Set<string>();
  each(spec.volumes, (v, i) => {
    const p: Path = ['volumes', i];
    if (!isStr(v.name)) return;
    if (!NAME.test(v.name)) err([...p, 'name'], `volume name \`${v.name}\` may hold only letters, digits, \`_\`, \`.\`, \`+\`, \`-\` and must start with a letter or digit`);
    else if (volumeNames.has(v.name)) crossErr([...p, 'name'], `duplicate volume name \`${v.name}\`; volume names must be unique`);
    volumeNames.add(v.name);
    if (v.readonly === true) readonlyVolumes.add(v.name);
    if (isStr(v.image)) ref([...p, 'image'], v.image);
    if (v.format !== undefined && v.image === undefined) warn([...p, 'format'], '`format` has no effect without `image`', true);
    if (v.platforms !== undefined) {
      if (v.format !== 'oci') warn([...p, 'platforms'], '`platforms` is used only with `format: oci`', true);
      each(v.platforms, (pl, j) => {
        if (isStr(pl) && !PLATFORM.test(pl)) err([...p, 'platforms', j], `\`${pl}\` is not a platform; write \`os/arch[/variant]\`, e.g. \`linux/amd64\``);
      });
    }
  });

  // Services run side by side under containerd, so their names must differ (LinuxKit's own
  // rule). onboot/onshutdown entries live in numbered directories; a repeated name there works
  // but is confusing, so it is a warning.
  const seen = new Map<string, ImageSection>();
  const serviceNames = new Set<string>();
  for (const section of imageSections) {
    each(spec[section], (image, i) => {
      const p: Path = [section, i];
      if (isStr(image.image)) ref([...p, 'image'], image.image);
      checkImage(image, p, err, warn);
      for (const key of ['binds', 'binds.add'] as const) {
        each(image[key], (bind, j) => {
          if (!isStr(bind) || bindProblem(bind)) return; // syntax, reported by checkImage
          const problem = bindProblem(bind, volumeNames);
          if (problem) return crossErr([...p, key, j], problem);
          // LinuxKit (build/volume.go) insists on exactly `:ro` when the volume is read-only.
          const [src = '', , opts] = bind.split(':');
          if (readonlyVolumes.has(src) && opts !== 'ro') {
            crossErr([...p, key, j], `volume \`${src}\` is read-only; bind it read-only with exactly \`:ro\`, e.g. \`${src}:${bind.split(':')[1]}:ro\``);
          }
        });
      }
      // A bind mount whose source is not a path names a volume too.
      each(image.mounts, (m, j) => {
        if (m.type !== 'bind' || !isStr(m.source) || m.source.startsWith('/')) return;
        if (!volumeNames.has(m.source)) {
          const hint = suggest(m.source, [...volumeNames]);
          return crossErr([...p, 'mounts', j, 'source'], `mount source \`${m.source}\` is neither an absolute path nor a volume in \`volumes\`${hint ? `; did you mean \`${hint}\`?` : ''}`);
        }
        const first = (m.options ?? []).find((o) => o === 'ro' || o === 'rw');
        if (readonlyVolumes.has(m.source) && first !== 'ro') {
          crossErr([...p, 'mounts', j, 'options'], `volume \`${m.source}\` is read-only; add \`ro\` to the mount options`);
        }
      });
      if (!isStr(image.name)) return;
      if (!NAME.test(image.name)) {
        err([...p, 'name'], `name \`${image.name}\` may hold only letters, digits, \`_\`, \`.\`, \`+\`, \`-\` and must start with a letter or digit (it becomes a directory and a container id)`);
      }
      const before = seen.get(image.name);
      if (section === 'services' && serviceNames.has(image.name)) crossErr([...p, 'name'], `duplicate service name \`${image.name}\`; services run side by side and need unique names`);
      else if (before) crossWarn([...p, 'name'], `the name \`${image.name}\` is already used in \`${before}\`; give each container its own name`);
      if (section === 'services') serviceNames.add(image.name);
      if (!before) seen.set(image.name, section);
    });
  }

  each(spec.files, (f, i) => checkFile(f, ['files', i], err, warn));
  if (spec.trust) warn(['trust'], '`trust` (Docker content trust) is obsolete and ignored; pin images by digest instead', true);
  if (scope === 'all') return all;
  return all.filter((f) => cross.has(f) === (scope === 'cross'));
}

type Report = (path: Path, message: string, onKey?: boolean) => void;

function checkImage(image: ImageConfig, p: Path, err: Report, warn: Report) {
  for (const key of ['capabilities', 'capabilities.add', 'ambient'] as const) {
    each(image[key], (cap, j) => {
      if (!isStr(cap)) return;
      if (cap.toLowerCase() === 'all' && key !== 'ambient') return;
      if ((CAPABILITIES as readonly string[]).includes(cap)) return;
      const upper = cap.toUpperCase();
      const hint = (CAPABILITIES as readonly string[]).includes(upper) ? upper
        : (CAPABILITIES as readonly string[]).includes(`CAP_${upper}`) ? `CAP_${upper}` : suggest(upper, CAPABILITIES);
      err([...p, key, j], `\`${cap}\` is not a Linux capability${hint ? `; did you mean \`${hint}\`?` : key === 'ambient' ? '' : '; write `CAP_…` names or `all`'}`);
    });
  }
  for (const key of ['binds', 'binds.add'] as const) {
    each(image[key], (bind, j) => {
      const problem = isStr(bind) ? bindProblem(bind) : undefined;
      if (problem) err([...p, key, j], problem);
    });
  }
  each(image.tmpfs, (t, j) => {
    if (!isStr(t)) return;
    const dst = t.split(':')[0] ?? '';
    if (!dst.startsWith('/')) err([...p, 'tmpfs', j], `tmpfs \`${t}\` must be \`/destination[:options]\` with an absolute destination`);
  });
  each(image.mounts, (m, j) => {
    // LinuxKit passes a relative destination through (its own test/cases/000_build/001_tarheaders
    // uses one); runc resolves it against the container's root and logs that support may go.
    if (isStr(m.destination) && m.destination !== '' && !m.destination.startsWith('/')) {
      warn([...p, 'mounts', j, 'destination'], `mount destination \`${m.destination}\` is relative; runc takes it as \`/${m.destination}\` inside the container but may stop accepting it, so write \`/${m.destination}\``);
    }
    if (m.destination === undefined && !['proc', 'devpts', 'sysfs', 'cgroup', 'cgroup2', 'mqueue', 'dev'].includes(m.type ?? '')) {
      err([...p, 'mounts', j], `a mount of type \`${m.type ?? '(none)'}\` needs a \`destination\``);
    }
  });
  each(image.env, (e, j) => {
    if (isStr(e) && !e.includes('=')) warn([...p, 'env', j], `\`${e}\` has no \`=\`; write environment variables as \`NAME=value\``);
  });
  each(image.rlimits, (r, j) => {
    const problem = isStr(r) ? rlimitProblem(r) : undefined;
    if (problem) err([...p, 'rlimits', j], problem);
  });
  for (const ns of ['net', 'pid', 'ipc', 'uts', 'userns'] as const) {
    const v = image[ns];
    if (isStr(v) && v !== '' && v !== 'host' && v !== 'new' && !v.startsWith('/')) {
      err([...p, ns], `\`${ns}\` must be \`host\`, \`new\` or an absolute path to a namespace, not \`${v}\``);
    }
  }
  if (typeof image.oomScoreAdj === 'number' && (image.oomScoreAdj < -1000 || image.oomScoreAdj > 1000)) {
    err([...p, 'oomScoreAdj'], '`oomScoreAdj` must be between -1000 and 1000');
  }
  each(image.devices, (d, j) => {
    // `path: all` allows every device of `type` (every device, without one) in the device
    // cgroup and creates no node: LinuxKit's ConfigToOCI.
    if (d.path === 'all') return;
    if (isStr(d.path) && !d.path.startsWith('/')) err([...p, 'devices', j, 'path'], `device path \`${d.path}\` must be absolute, e.g. \`/dev/kvm\`, or \`all\` to allow every device of \`type\``);
  });
  if (image.capabilities && image['capabilities.add']) {
    warn([...p, 'capabilities.add'], '`capabilities.add` adds to the image label\'s list, but `capabilities` replaces it here; use one of the two', true);
  }
  if (image.binds && image['binds.add']) {
    warn([...p, 'binds.add'], '`binds.add` adds to the image label\'s binds, but `binds` replaces them here; use one of the two', true);
  }
}

/** `src:dst[:opt,opt]`; src is an absolute host path or a volume name. */
export function bindProblem(bind: string, volumes?: Set<string>): string | undefined {
  const parts = bind.split(':');
  if (parts.length < 2 || parts.length > 3) return `bind \`${bind}\` must be \`source:destination[:options]\`, e.g. \`/var/log:/var/log:ro\``;
  const [src = '', dst = '', opts] = parts;
  if (src === '') return `bind \`${bind}\` has no source`;
  if (!dst.startsWith('/')) return `bind \`${bind}\`: the destination \`${dst}\` must be an absolute path`;
  if (!src.startsWith('/')) {
    if (volumes && !volumes.has(src)) {
      const hint = suggest(src, [...volumes]);
      return `bind \`${bind}\`: \`${src}\` is neither an absolute path nor a volume in \`volumes\`${hint ? `; did you mean \`${hint}\`?` : ''}`;
    }
  }
  if (opts !== undefined && opts.split(',').some((o) => o.trim() === '')) return `bind \`${bind}\` has an empty option; separate options with commas, e.g. \`ro,rshared\``;
  return undefined;
}

export function rlimitProblem(r: string): string | undefined {
  const parts = r.split(',').map((x) => x.trim());
  if (parts.length !== 3) return `rlimit \`${r}\` must be \`name,soft,hard\`, e.g. \`nofile,1024,4096\``;
  const name = parts[0]!.toLowerCase().replace(/^rlimit_/, '');
  if (!(RLIMITS as readonly string[]).includes(name)) {
    const hint = suggest(name, RLIMITS);
    return `\`${parts[0]}\` is not a resource limit${hint ? `; did you mean \`${hint}\`?` : ''}`;
  }
  for (const n of parts.slice(1)) {
    if (!/^\d+$/.test(n) && n !== 'unlimited' && n !== 'infinity') return `rlimit \`${r}\`: \`${n}\` must be a number or \`unlimited\``;
  }
  return undefined;
}

function checkFile(f: NonNullable<Spec['files']>[number], p: Path, err: Report, warn: Report) {
  // LinuxKit's rule (filesystem.go): directory, symlink, contents, source or metadata says what
  // the entry is. It rejects contents+source, contents+metadata, source+metadata and
  // source/metadata with directory or symlink, but silently ignores contents with a symlink and
  // a symlink with a directory; we accept those too and warn.
  const kinds = (['directory', 'symlink', 'contents', 'source', 'metadata'] as const).filter((k) => (k === 'directory' ? f.directory === true : f[k] !== undefined));
  if (kinds.length === 0) {
    err(p, `file \`${f.path}\` needs one of \`contents\`, \`source\`, \`directory: true\`, \`symlink\` or \`metadata\``);
  } else if (kinds.length > 1) {
    const [a, b] = kinds as [string, string];
    const lenient = (a === 'directory' && b === 'symlink' && kinds.length === 2) || (a === 'symlink' && b === 'contents' && kinds.length === 2);
    const message = `file \`${f.path}\` sets both \`${a}\` and \`${b}\`; keep exactly one of contents, source, directory, symlink or metadata`;
    if (lenient) warn([...p, b], `${message} (\`${b}\` is ignored)`, true);
    else err([...p, b], message, true);
  }
  if (f.optional && f.source === undefined) warn([...p, 'optional'], '`optional` only matters with `source`', true);
  if (isStr(f.path) && f.path.split('/').includes('..')) err([...p, 'path'], `file path \`${f.path}\` must not contain \`..\``);
}
