// The registry policy of a server that pulls images its users name: which registries a spec may
// name, and which addresses a connection may reach. Pure rules here; guard.ts applies them to
// every connection after DNS resolution. The CLI uses no policy (LinuxKit's behaviour).
import { isIP } from 'node:net';

export interface RegistryPolicy {
  /**
   * The operator's entries (OSCOMPOSE_ALLOWED_REGISTRIES, the instance's own registry): image
   * references may name these hosts, and exactly these host:port may be private addresses
   * (a registry on 127.0.0.1:5055, a mirror on the LAN).
   */
  operator: readonly string[];
  /** Hosts a team admin added (Settings → Registries): may be named; public addresses only. */
  team?: readonly string[];
  /**
   * The instance's own registry, whose image store holds every team's uploads as
   * `<host>/<team slug>/<name>`: the only namespaces there this team may name (its own and the
   * public starter namespace). Checked before the image store is looked in.
   */
  ownRegistry?: { host: string; namespaces: readonly string[] };
}

/** The one answer for a registry, token service or redirect target the policy refuses. */
export function notAllowedMessage(host: string): string {
  return `registry ${host} is not allowed here; an admin can add it in Settings → Registries`;
}

/** The starter catalog's namespace on the own registry (`<registry>/oscompose/…`): every team's. */
export const STARTER_NAMESPACE = 'oscompose';

/** A team's policy on a server: the operator's entries, the team's, and its own-registry namespaces. */
export function teamRegistryPolicy(o: { operator: readonly string[]; team: readonly string[]; ownRegistry: string; teamSlug?: string }): RegistryPolicy {
  return { operator: o.operator, team: o.team, ownRegistry: { host: o.ownRegistry, namespaces: [...(o.teamSlug ? [o.teamSlug] : []), STARTER_NAMESPACE] } };
}

/**
 * Why a reference may not be used by this team (a namespace of the own registry that belongs to
 * another team), or undefined. The words are the same whether or not such an image exists.
 */
export function namespaceProblem(policy: RegistryPolicy, registry: string, repository: string): string | undefined {
  const own = policy.ownRegistry;
  if (!own || normaliseRegistryHost(registry) !== normaliseRegistryHost(own.host)) return undefined;
  const ns = repository.split('/')[0]!;
  if (own.namespaces.includes(ns)) return undefined;
  return `${registry}/${ns}/… is not one of this team's images; use ${own.namespaces.map((n) => `${registry}/${n}/…`).join(' or ')}`;
}

/** Docker Hub answers under several names; allowing one allows the others. */
const DOCKER_HUB = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/** `HTTPS://Host:5000/` → `host:5000`; `[::1]:5000` stays bracketed. */
export function normaliseRegistryHost(entry: string): string {
  return entry.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
}

/** Splits `host[:port]` (IPv6 in brackets); the host comes back without brackets. */
export function splitHostPort(entry: string): { host: string; port?: number } {
  const h = normaliseRegistryHost(entry);
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(h);
  if (v6) return { host: v6[1]!, ...(v6[2] ? { port: Number(v6[2]) } : {}) };
  const m = /^(.*?)(?::(\d+))?$/.exec(h)!;
  return { host: m[1]!, ...(m[2] ? { port: Number(m[2]) } : {}) };
}

/** `host:port` as a user writes it (brackets around IPv6, no port when it is the default). */
export function formatHostPort(host: string, port?: number): string {
  const h = isIP(host) === 6 ? `[${host}]` : host;
  return port ? `${h}:${port}` : h;
}

/** Whether an image reference may name this registry (host[:port] as in the reference). */
export function registryAllowed(policy: RegistryPolicy, registry: string): boolean {
  const r = normaliseRegistryHost(registry);
  const names = [...policy.operator, ...(policy.team ?? [])].map(normaliseRegistryHost);
  if (DOCKER_HUB.includes(r)) return names.some((n) => DOCKER_HUB.includes(n));
  return names.includes(r);
}

/**
 * Whether the operator allowed exactly this host:port, which may then be a private address.
 * An entry without a port stands for the default ports (443, 80).
 */
export function operatorExempt(policy: RegistryPolicy, host: string, port: number): boolean {
  const want = host.toLowerCase().replace(/^\[|\]$/g, '');
  return policy.operator.some((entry) => {
    const e = splitHostPort(entry);
    return e.host === want && (e.port === undefined ? port === 443 || port === 80 : e.port === port);
  });
}

// ---- addresses -----------------------------------------------------------------------------

type Range = [bytes: number[], prefix: number];

const v4 = (s: string, prefix: number): Range => [s.split('.').map(Number), prefix];
/** Everything that is not the public internet: RFC 6890 special-purpose and private space. */
const NON_PUBLIC_V4: Range[] = [
  v4('0.0.0.0', 8), // "this network", unspecified
  v4('10.0.0.0', 8), // RFC 1918
  v4('100.64.0.0', 10), // carrier-grade NAT
  v4('127.0.0.0', 8), // loopback
  v4('169.254.0.0', 16), // link-local, cloud metadata (169.254.169.254)
  v4('172.16.0.0', 12), // RFC 1918
  v4('192.0.0.0', 24), // IETF protocol assignments
  v4('192.0.2.0', 24), // documentation
  v4('192.88.99.0', 24), // 6to4 relay anycast
  v4('192.168.0.0', 16), // RFC 1918
  v4('198.18.0.0', 15), // benchmarking
  v4('198.51.100.0', 24), // documentation
  v4('203.0.113.0', 24), // documentation
  v4('224.0.0.0', 4), // multicast
  v4('240.0.0.0', 4), // reserved, broadcast
];

const v6 = (s: string, prefix: number): Range => [ipv6Bytes(s)!, prefix];
const NON_PUBLIC_V6: Range[] = [
  v6('::', 96), // unspecified, loopback, IPv4-compatible (deprecated)
  v6('64:ff9b:1::', 48), // local-use NAT64
  v6('100::', 64), // discard
  v6('2001::', 23), // IETF protocol assignments (Teredo, ORCHID, …)
  v6('2001:db8::', 32), // documentation
  v6('fc00::', 7), // unique local
  v6('fe80::', 10), // link-local
  v6('fec0::', 10), // site-local (deprecated)
  v6('ff00::', 8), // multicast
];

function inRange(bytes: number[], [base, prefix]: Range): boolean {
  for (let bit = 0; bit < prefix; bit++) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((bytes[i]! & mask) !== (base[i]! & mask)) return false;
  }
  return true;
}

/** 16 bytes of an IPv6 address (with `::` and a trailing dotted quad), or undefined. */
export function ipv6Bytes(address: string): number[] | undefined {
  let s = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(s) !== 6) return undefined;
  let tail: number[] = [];
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (quad) {
    tail = quad[1]!.split('.').map(Number);
    s = s.slice(0, -quad[1]!.length) + '0:0';
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const groups = (p: string) => (p ? p.split(':').filter(Boolean).map((g) => parseInt(g, 16)) : []);
  const a = groups(head);
  const b = rest !== undefined ? groups(rest) : [];
  const all = rest !== undefined ? [...a, ...Array(8 - a.length - b.length).fill(0), ...b] : a;
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * Whether an address is on the public internet. Loopback, private (RFC 1918, 100.64/10),
 * link-local (169.254/16 with the cloud metadata service, fe80::/10), unique-local (fc00::/7),
 * unspecified, multicast, documentation and reserved ranges are not, and neither are IPv6 forms
 * that carry one of those IPv4 addresses (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4).
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  if (family === 4) {
    const bytes = address.split('.').map(Number);
    return !NON_PUBLIC_V4.some((r) => inRange(bytes, r));
  }
  if (family !== 6) return false;
  const bytes = ipv6Bytes(address)!;
  const embedded = (from: number) => bytes.slice(from, from + 4).join('.');
  if (inRange(bytes, v6('::ffff:0:0', 96))) return isPublicAddress(embedded(12)); // IPv4-mapped
  if (inRange(bytes, v6('64:ff9b::', 96))) return isPublicAddress(embedded(12)); // NAT64
  if (inRange(bytes, v6('2002::', 16))) return isPublicAddress(embedded(2)); // 6to4
  return !NON_PUBLIC_V6.some((r) => inRange(bytes, r));
}

/** Whether a connection to host:port that resolved to `address` is allowed by the policy. */
export function connectionAllowed(policy: RegistryPolicy, host: string, port: number, address: string): boolean {
  return isPublicAddress(address) || operatorExempt(policy, host, port);
}

// ---- the operator's setting ------------------------------------------------------------------

/** OSCOMPOSE_ALLOWED_REGISTRIES when unset: the common public registries and their aliases. */
export const DEFAULT_ALLOWED_REGISTRIES = ['docker.io', 'registry-1.docker.io', 'index.docker.io', 'auth.docker.io', 'ghcr.io', 'quay.io', 'gcr.io', 'registry.k8s.io', 'public.ecr.aws'];

const HOST_ENTRY = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/** Whether a string is a registry host as image references write it (host or host:port). */
export function isRegistryHost(entry: string): boolean {
  return HOST_ENTRY.test(normaliseRegistryHost(entry));
}

/**
 * The operator's entries: OSCOMPOSE_ALLOWED_REGISTRIES (comma- or space-separated; unset = the
 * defaults above) plus the instance's own registry (OSCOMPOSE_REGISTRY), which the starter
 * catalog's names point at. Throws naming the entries that are not hosts.
 */
export function operatorRegistries(setting: string | undefined, ownRegistry: string): string[] {
  const listed = setting === undefined ? DEFAULT_ALLOWED_REGISTRIES : setting.split(/[\s,]+/).filter(Boolean);
  const bad = listed.filter((e) => !isRegistryHost(e));
  if (bad.length) throw new Error(`not registry hosts: ${bad.join(', ')} (write host or host:port, e.g. ghcr.io, 127.0.0.1:5055)`);
  return [...new Set([...listed, ownRegistry].map(normaliseRegistryHost))];
}
