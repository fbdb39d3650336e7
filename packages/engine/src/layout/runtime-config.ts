// The OCI runtime config.json and LinuxKit's runtime.json for one container, derived as
// `linuxkit build` derives them (moby ConfigToOCI): the YAML entry overrides the image's
// `org.mobyproject.config` label, which overrides the image config (Entrypoint/Cmd, Env,
// WorkingDir). Output objects keep Go struct field order and omit Go's omitempty fields, so
// marshalIndent() gives the same bytes LinuxKit writes.
import { parse as parseYaml } from 'yaml';
import { ALL_CAPABILITIES, KNOWN_CAPABILITIES } from './capabilities';
import { LayoutError } from './errors';
import { GoMap, GoNumber, type GoValue } from './go-json';

/** OCI runtime-spec version written as ociVersion: the runtime-spec LinuxKit v1.7.1 vendors (specs.Version). */
export const OCI_VERSION = '1.2.1';

/** The image config fields ConfigToOCI reads (OCI image config `config` object). */
export interface ImageRuntimeDefaults {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
}

/** A YAML entry or a parsed label: LinuxKit's ImageConfig fields, loosely typed (as YAML gives them). */
export type ImageSettings = Record<string, unknown>;

export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface ContainerConfig {
  /** config.json as an ordered object; marshalIndent() it. */
  oci: { [key: string]: GoValue | undefined };
  /** runtime.json before the rootfs mounts are prepended (see bundle.ts). */
  runtime: RuntimeJson;
  readonly: boolean;
}

export interface RuntimeJson {
  cgroups: string[];
  mounts: OciMount[];
  mkdir: string[];
  interfaces: GoValue[];
  bindNS: Record<string, string>;
  namespace: string;
}

export const MOBY_LABEL = 'org.mobyproject.config';

/** Parses and checks an `org.mobyproject.config` label (YAML or JSON object; no name or image). */
export function parseLabel(text: string | undefined, location: string): ImageSettings {
  if (!text) return {};
  let v: unknown;
  try {
    v = parseYaml(text);
  } catch (e) {
    throw new LayoutError(`the image's ${MOBY_LABEL} label is not valid YAML/JSON: ${(e as Error).message}; fix the label in the image`, { location });
  }
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new LayoutError(`the image's ${MOBY_LABEL} label must be an object, not ${Array.isArray(v) ? 'an array' : typeof v}`, { location });
  }
  const obj = v as ImageSettings;
  if ('name' in obj && obj.name) throw new LayoutError(`name cannot be set in the ${MOBY_LABEL} label`, { location });
  if ('image' in obj && obj.image) throw new LayoutError(`image cannot be set in the ${MOBY_LABEL} label`, { location });
  return obj;
}

// ---- ordered overrides (label then YAML; undefined means "not set")

const has = (o: ImageSettings, k: string) => o[k] !== undefined && o[k] !== null;
function strs(o: ImageSettings, k: string): string[] | undefined {
  if (!has(o, k)) return undefined;
  const v = o[k];
  return Array.isArray(v) ? v.map((x) => String(x)) : [String(v)];
}
function pick<T>(label: T | undefined, yaml: T | undefined): T | undefined {
  return yaml !== undefined ? yaml : label;
}
/** LinuxKit's mergeStrings: concatenation (its de-duplication never triggers), nil-aware. */
function mergeStrings(a: string[] | undefined, b: string[] | undefined): string[] {
  if (a === undefined && b === undefined) return [];
  if (b === undefined) return a!;
  if (a === undefined) return b;
  return [...a, ...b];
}
function str(o: ImageSettings, k: string): string {
  return has(o, k) ? String(o[k]) : '';
}
function firstNonEmpty(...vals: string[]): string {
  for (let i = vals.length - 1; i >= 0; i--) if (vals[i] !== '') return vals[i]!;
  return '';
}

/** Looks a key up as Go's yaml decoder does for untagged structs (lower-cased field name), leniently. */
function field(o: unknown, name: string): unknown {
  if (!o || typeof o !== 'object') return undefined;
  const rec = o as Record<string, unknown>;
  if (name in rec) return rec[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k];
  return undefined;
}

function toMount(m: unknown): OciMount {
  const out: OciMount = { destination: String(field(m, 'destination') ?? '') };
  const type = field(m, 'type');
  const source = field(m, 'source');
  const options = field(m, 'options');
  if (type) out.type = String(type);
  if (source) out.source = String(source);
  if (Array.isArray(options) && options.length) out.options = options.map(String);
  return out;
}

/** Go writes a Mount with omitempty type/source/options; destination always. */
export function mountJson(m: OciMount): GoValue {
  return {
    destination: m.destination,
    type: m.type || undefined,
    source: m.source || undefined,
    options: m.options && m.options.length ? m.options : undefined,
  };
}

function defaultMountpoint(type: string): string {
  return ({ proc: '/proc', devpts: '/dev/pts', sysfs: '/sys', cgroup: '/sys/fs/cgroup', mqueue: '/dev/mqueue' } as Record<string, string>)[type] ?? '';
}

/** uid/gid as a number: numbers as is, names of containers map to their allocated ids, root → 0. */
export function idNumeric(v: unknown, idMap: ReadonlyMap<string, number>, location: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v >>> 0;
  if (typeof v === 'string') {
    if (v === '' || v === 'root') return 0;
    const id = idMap.get(v);
    if (id === undefined) {
      throw new LayoutError(`cannot find id "${v}": a uid/gid name must be "root" or the name of an onboot, onshutdown or service container`, { location });
    }
    return id;
  }
  throw new LayoutError('bad type for uid or gid: use a number or a container name', { location });
}

const RLIMITS = new Set([
  'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC',
  'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_LOCKS', 'RLIMIT_SIGPENDING', 'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME',
]);

function parseLimit(s: string, location: string): GoNumber {
  const t = s.trim();
  if (t.toLowerCase() === 'unlimited') return new GoNumber('18446744073709551615');
  if (!/^\d+$/.test(t) || BigInt(t) > 18446744073709551615n) throw new LayoutError(`cannot parse rlimit value "${t}" as an unsigned number (or "unlimited")`, { location });
  return new GoNumber(BigInt(t).toString());
}

function expandCaps(list: string[]): string[] {
  if (list.length === 1) {
    const c = list[0]!.toLowerCase();
    if (c === 'none') return [];
    if (c === 'all') return [...ALL_CAPABILITIES];
  }
  return list;
}

// ---- resources: Go struct order of runtime-spec LinuxResources, omitempty everywhere

type Shape = readonly (readonly [string, 'num' | 'str' | 'bool' | Shape | { list: Shape }])[];
const WEIGHT_DEVICE: Shape = [['major', 'num'], ['minor', 'num'], ['weight', 'num'], ['leafWeight', 'num']];
const THROTTLE_DEVICE: Shape = [['major', 'num'], ['minor', 'num'], ['rate', 'num']];
const RESOURCES: Shape = [
  ['devices', { list: [['allow', 'bool'], ['type', 'str'], ['major', 'num'], ['minor', 'num'], ['access', 'str']] }],
  ['memory', [['limit', 'num'], ['reservation', 'num'], ['swap', 'num'], ['kernel', 'num'], ['kernelTCP', 'num'], ['swappiness', 'num'], ['disableOOMKiller', 'bool'], ['useHierarchy', 'bool'], ['checkBeforeUpdate', 'bool']]],
  ['cpu', [['shares', 'num'], ['quota', 'num'], ['burst', 'num'], ['period', 'num'], ['realtimeRuntime', 'num'], ['realtimePeriod', 'num'], ['cpus', 'str'], ['mems', 'str'], ['idle', 'num']]],
  ['pids', [['limit', 'num']]],
  ['blockIO', [['weight', 'num'], ['leafWeight', 'num'], ['weightDevice', { list: WEIGHT_DEVICE }], ['throttleReadBpsDevice', { list: THROTTLE_DEVICE }], ['throttleWriteBpsDevice', { list: THROTTLE_DEVICE }], ['throttleReadIOPSDevice', { list: THROTTLE_DEVICE }], ['throttleWriteIOPSDevice', { list: THROTTLE_DEVICE }]]],
  ['hugepageLimits', { list: [['pageSize', 'str'], ['limit', 'num']] }],
  ['network', [['classID', 'num'], ['priorities', { list: [['name', 'str'], ['priority', 'num']] }]]],
];
// Fields that are not pointers in Go and therefore always written inside a present struct.
const ALWAYS = new Set(['allow', 'pageSize', 'limit@hugepageLimits', 'name', 'priority', 'major@dev', 'minor@dev', 'rate', 'limit@pids']);

function shapeValue(v: unknown, shape: Shape, ctx: string): { [key: string]: GoValue | undefined } {
  const out: { [key: string]: GoValue | undefined } = {};
  for (const [key, kind] of shape) {
    const raw = field(v, key);
    const always = ALWAYS.has(key) || ALWAYS.has(`${key}@${ctx}`);
    if (raw === undefined || raw === null) {
      if (always) out[key] = kind === 'bool' ? false : kind === 'str' ? '' : 0;
      continue;
    }
    if (kind === 'num') out[key] = Number(raw);
    else if (kind === 'str') out[key] = String(raw);
    else if (kind === 'bool') out[key] = Boolean(raw);
    else if ('list' in (kind as object)) {
      const arr = Array.isArray(raw) ? raw : [];
      if (arr.length) out[key] = arr.map((x) => shapeValue(x, (kind as { list: Shape }).list, key === 'weightDevice' || key.startsWith('throttle') ? 'dev' : key));
    } else {
      out[key] = shapeValue(raw, kind as Shape, key);
    }
  }
  return out;
}

// ---- the conversion

export interface ConfigInput {
  /** The YAML entry (name, image and settings). */
  yaml: ImageSettings;
  /** The image config's `config` object. */
  image: ImageRuntimeDefaults | undefined;
  /** Container name → allocated uid/gid (LinuxKit allocates 100, 101, … in spec order). */
  idMap: ReadonlyMap<string, number>;
  /** Where in the spec, for error messages, e.g. `services[1]`. */
  location: string;
}

export function configToOCI({ yaml, image, idMap, location }: ConfigInput): ContainerConfig {
  const label = parseLabel(image?.Labels?.[MOBY_LABEL], location);
  const img = image ?? {};

  const inspectCommand = [...(img.Entrypoint ?? []), ...(img.Cmd ?? [])];
  const args = pick(strs(label, 'command'), strs(yaml, 'command')) ?? inspectCommand;
  const env = pick(strs(label, 'env'), strs(yaml, 'env')) ?? img.Env ?? [];
  const cwd = firstNonEmpty('/', img.WorkingDir ?? '', str(label, 'cwd'), str(yaml, 'cwd'));
  const readonly = Boolean(pick(has(label, 'readonly') ? label.readonly : undefined, has(yaml, 'readonly') ? yaml.readonly : undefined) ?? false);

  // Mounts: Docker's defaults, then tmpfs, binds and mounts; keyed by destination, sorted.
  const mounts = new Map<string, OciMount>();
  const devOptions = ['nosuid', 'strictatime', 'mode=755', 'size=65536k', ...(readonly ? ['ro'] : [])];
  const sysOptions = ['nosuid', 'noexec', 'nodev', ...(readonly ? ['ro'] : [])];
  mounts.set('/proc', { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'nodev', 'noexec', 'relatime'] });
  mounts.set('/dev', { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: devOptions });
  mounts.set('/dev/pts', { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] });
  mounts.set('/sys', { destination: '/sys', type: 'sysfs', source: 'sysfs', options: sysOptions });
  mounts.set('/sys/fs/cgroup', { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] });

  for (const t of pick(strs(label, 'tmpfs'), strs(yaml, 'tmpfs')) ?? []) {
    const parts = t.split(':');
    if (parts.length > 2) throw new LayoutError(`cannot parse tmpfs "${t}": too many ':' (use DEST or DEST:OPT,OPT)`, { location });
    const dest = parts[0]!;
    mounts.set(dest, { destination: dest, type: 'tmpfs', source: 'tmpfs', options: parts.length === 2 ? parts[1]!.split(',') : undefined });
  }
  const binds = strs(yaml, 'binds') ?? mergeStrings(strs(label, 'binds'), strs(yaml, 'binds.add'));
  for (const b of binds) {
    const parts = b.split(':');
    if (parts.length < 2) throw new LayoutError(`cannot parse bind "${b}": missing ':' (use SRC:DEST[:OPTS])`, { location });
    if (parts.length > 3) throw new LayoutError(`cannot parse bind "${b}": too many ':' (use SRC:DEST[:OPTS])`, { location });
    const [src, dest] = [parts[0]!, parts[1]!];
    const opts = parts.length === 3 ? [...parts[2]!.split(','), 'rbind'] : ['rw', 'rbind', 'rshared'];
    mounts.set(dest, { destination: dest, type: 'bind', source: src, options: opts });
  }
  const mountList = (has(yaml, 'mounts') ? yaml.mounts : has(label, 'mounts') ? label.mounts : []) as unknown[];
  for (const raw of Array.isArray(mountList) ? mountList : []) {
    const m = toMount(raw);
    let type = m.type ?? '';
    let src = m.source ?? '';
    let dest = m.destination;
    if (!type && ['mqueue', 'devpts', 'proc', 'sysfs', 'cgroup'].includes(src)) type = src;
    if (!type && dest === '/dev') type = 'tmpfs';
    if (!type) throw new LayoutError(`mount for destination ${dest} is missing type`, { location });
    if (!src) src = type;
    if (!dest) dest = defaultMountpoint(type);
    if (!dest) throw new LayoutError(`mount type ${type} is missing destination`, { location });
    mounts.set(dest, { destination: dest, type, source: src, options: m.options });
  }
  // LinuxKit's current ConfigToOCI sorts by destination string (sort.Slice, Destination <);
  // releases before it sorted by path depth with random ties (mlist). We follow the current one.
  const sortedMounts = [...mounts.values()].sort((a, b) => (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0));

  // Namespaces: net/ipc/uts/user default to the host's, pid to a new one; mount always new. No
  // cgroup namespace: LinuxKit's ConfigToOCI leaves it as a TODO, so containers share the host's.
  const namespaces: GoValue[] = [];
  const ns = (type: string, value: string, newWord: string[]) => {
    if (value === 'host' || value === 'root') return;
    namespaces.push({ type, path: newWord.includes(value) ? undefined : value || undefined });
  };
  ns('network', firstNonEmpty('root', str(label, 'net'), str(yaml, 'net')), ['none', 'new']);
  ns('ipc', firstNonEmpty('root', str(label, 'ipc'), str(yaml, 'ipc')), ['new']);
  ns('uts', firstNonEmpty('root', str(label, 'uts'), str(yaml, 'uts')), ['new']);
  ns('pid', firstNonEmpty(str(label, 'pid'), str(yaml, 'pid')), ['new']);
  ns('user', firstNonEmpty('root', str(label, 'userns'), str(yaml, 'userns')), ['new']);
  namespaces.push({ type: 'mount' });

  // Capabilities: effective keeps the given order; the other sets are the sorted union with ambient.
  const caps = expandCaps(strs(yaml, 'capabilities') ?? mergeStrings(strs(label, 'capabilities'), strs(yaml, 'capabilities.add')));
  const ambient = expandCaps(pick(strs(label, 'ambient'), strs(yaml, 'ambient')) ?? []);
  const bounding = new Set<string>();
  for (const c of [...caps, ...ambient]) {
    if (!KNOWN_CAPABILITIES.has(c)) throw new LayoutError(`unknown capability: ${c} (names look like CAP_NET_ADMIN)`, { location });
    bounding.add(c);
  }
  const boundingList = [...bounding].sort();

  const rlimits: GoValue[] = [];
  for (const s of pick(strs(label, 'rlimits'), strs(yaml, 'rlimits')) ?? []) {
    const rs = s.split(',');
    if (rs.length < 3) throw new LayoutError(`cannot parse rlimit "${s}": use NAME,SOFT,HARD`, { location });
    const [name, soft, ...hardParts] = rs;
    let limit = name!.trim().toUpperCase();
    if (!limit.startsWith('RLIMIT_')) limit = `RLIMIT_${limit}`;
    if (!RLIMITS.has(limit)) throw new LayoutError(`unknown rlimit "${name}"`, { location });
    rlimits.push({ type: limit, hard: parseLimit(hardParts.join(','), location), soft: parseLimit(soft!, location) });
  }

  const uid = idNumeric(pick(label.uid, yaml.uid), idMap, location);
  const gid = idNumeric(pick(label.gid, yaml.gid), idMap, location);
  const agRaw = (pick(has(label, 'additionalGids') ? label.additionalGids : undefined, has(yaml, 'additionalGids') ? yaml.additionalGids : undefined) ?? []) as unknown[];
  const additionalGids = agRaw.map((x) => idNumeric(x, idMap, location));

  const noNewPrivileges = Boolean(pick(has(label, 'noNewPrivileges') ? label.noNewPrivileges : undefined, has(yaml, 'noNewPrivileges') ? yaml.noNewPrivileges : undefined) ?? false);
  const oomScoreAdj = pick(has(label, 'oomScoreAdj') ? Number(label.oomScoreAdj) : undefined, has(yaml, 'oomScoreAdj') ? Number(yaml.oomScoreAdj) : undefined);

  const resourcesRaw = pick(has(label, 'resources') ? label.resources : undefined, has(yaml, 'resources') ? yaml.resources : undefined);
  const resources = shapeValue(resourcesRaw ?? {}, RESOURCES, 'resources');
  const deviceRules = (resources.devices as GoValue[] | undefined) ?? [];
  const devicesRaw = (pick(has(label, 'devices') ? label.devices : undefined, has(yaml, 'devices') ? yaml.devices : undefined) ?? []) as unknown[];
  const linuxDevices: GoValue[] = [];
  for (const d of devicesRaw) {
    const path = String(field(d, 'path') ?? '');
    const type = String(field(d, 'type') ?? '');
    if (path === 'all') {
      deviceRules.push({ allow: true, type: type || undefined, access: 'rwm' });
      continue;
    }
    const modeText = String(field(d, 'mode') ?? '');
    if (!/^[0-7]+$/.test(modeText)) throw new LayoutError(`cannot parse device mode "${modeText}" for ${path} as an octal value (e.g. "0666")`, { location });
    const major = Number(field(d, 'major') ?? 0);
    const minor = Number(field(d, 'minor') ?? 0);
    linuxDevices.push({ path, type, major, minor, fileMode: parseInt(modeText, 8) });
    deviceRules.push({ allow: true, type: type || undefined, major, minor, access: 'rwm' });
  }
  if (deviceRules.length) resources.devices = deviceRules;
  else delete resources.devices;

  const mapOf = (k: string): GoMap | undefined => {
    const v = pick(has(label, k) ? label[k] : undefined, has(yaml, k) ? yaml[k] : undefined) as Record<string, unknown> | undefined;
    if (!v || typeof v !== 'object' || Object.keys(v).length === 0) return undefined;
    return new GoMap(Object.fromEntries(Object.entries(v).map(([a, b]) => [a, String(b)])));
  };
  const idMappings = (k: string): GoValue[] | undefined => {
    const v = pick(has(label, k) ? label[k] : undefined, has(yaml, k) ? yaml[k] : undefined) as unknown[] | undefined;
    if (!Array.isArray(v) || v.length === 0) return undefined;
    return v.map((m) => ({ containerID: Number(field(m, 'containerID') ?? 0), hostID: Number(field(m, 'hostID') ?? 0), size: Number(field(m, 'size') ?? 0) }));
  };
  const listOf = (k: string) => {
    const v = pick(strs(label, k), strs(yaml, k));
    return v && v.length ? v : undefined;
  };
  const nonEmpty = <T>(a: T[]) => (a.length ? a : undefined);

  const oci: { [key: string]: GoValue | undefined } = {
    ociVersion: OCI_VERSION,
    process: {
      user: { uid, gid, additionalGids: nonEmpty(additionalGids) },
      args: nonEmpty(args),
      env: nonEmpty(env),
      cwd,
      capabilities: {
        bounding: nonEmpty(boundingList),
        effective: nonEmpty(caps),
        inheritable: nonEmpty(boundingList),
        permitted: nonEmpty(boundingList),
        ambient: nonEmpty(ambient),
      },
      rlimits: nonEmpty(rlimits),
      noNewPrivileges: noNewPrivileges || undefined,
      oomScoreAdj,
    },
    root: { path: 'rootfs', readonly: readonly || undefined },
    hostname: firstNonEmpty(str(label, 'hostname'), str(yaml, 'hostname')) || undefined,
    mounts: nonEmpty(sortedMounts.map(mountJson)),
    annotations: mapOf('annotations'),
    linux: {
      uidMappings: idMappings('uidMappings'),
      gidMappings: idMappings('gidMappings'),
      sysctl: mapOf('sysctl'),
      resources,
      cgroupsPath: firstNonEmpty(str(label, 'cgroupsPath'), str(yaml, 'cgroupsPath')) || undefined,
      namespaces,
      devices: nonEmpty(linuxDevices),
      rootfsPropagation: firstNonEmpty(str(label, 'rootfsPropagation'), str(yaml, 'rootfsPropagation')) || undefined,
      maskedPaths: listOf('maskedPaths'),
      readonlyPaths: listOf('readonlyPaths'),
    },
  };

  return { oci, runtime: runtimeOf(label.runtime, yaml.runtime), readonly };
}

/** LinuxKit's assignRuntime: each field from the YAML, else the label, else empty. */
function runtimeOf(labelRt: unknown, yamlRt: unknown): RuntimeJson {
  const l = (labelRt ?? {}) as ImageSettings;
  const y = (yamlRt ?? {}) as ImageSettings;
  const get = (k: string): unknown => (has(y, k) ? y[k] : has(l, k) ? l[k] : undefined);
  const arr = (k: string): unknown[] => {
    const v = get(k);
    return Array.isArray(v) ? v : [];
  };
  const lb = (l.bindNS ?? {}) as ImageSettings;
  const yb = (y.bindNS ?? {}) as ImageSettings;
  const bindNS: Record<string, string> = {};
  for (const k of ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'user', 'uts']) bindNS[k] = has(yb, k) ? String(yb[k]) : has(lb, k) ? String(lb[k]) : '';
  return {
    cgroups: arr('cgroups').map(String),
    mounts: arr('mounts').map(toMount),
    mkdir: arr('mkdir').map(String),
    interfaces: arr('interfaces').map((i) => ({
      name: (field(i, 'name') as string) || undefined,
      add: (field(i, 'add') as string) || undefined,
      peer: (field(i, 'peer') as string) || undefined,
      createInRoot: Boolean(field(i, 'createInRoot')),
    })),
    bindNS,
    namespace: has(y, 'namespace') ? String(y.namespace) : has(l, 'namespace') ? String(l.namespace) : '',
  };
}

/** runtime.json text with the given rootfs mounts first (LinuxKit prepends them). */
export function runtimeJson(rt: RuntimeJson, rootfsMounts: OciMount[]): GoValue {
  return {
    cgroups: rt.cgroups,
    mounts: [...rootfsMounts, ...rt.mounts].map(mountJson),
    mkdir: rt.mkdir,
    interfaces: rt.interfaces,
    bindNS: rt.bindNS,
    namespace: rt.namespace,
  };
}
