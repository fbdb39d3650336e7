// OCI distribution API client: manifests (OCI, Docker schema 2), image indexes → linux/<arch>,
// blobs; anonymous, basic and bearer-token auth (Docker Hub's flow); plain HTTP only for loopback
// and insecure registries; retries with backoff on transient failures. Redirects are followed
// by hand (credentials never follow to another origin); with a RegistryPolicy (servers) every
// registry, token service and redirect hop must be allowed (policy.ts, guard.ts).

import { isIP } from 'node:net';
import { normaliseReference, type ImageReference } from '../oci/reference';
import { sha256Digest } from '../oci/layout';
import { describePlatforms, selectPlatform } from '../oci/platform';
import { isIndexMediaType, isManifestMediaType, MediaType, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/types';
import { credentialEnvName, credentialFor, loadDockerConfig, type Credential, type Credentials } from './credentials';
import { RegistryError } from './errors';
import { policyErrorOf, policyFetch } from './guard';
import { namespaceProblem, notAllowedMessage, registryAllowed, type RegistryPolicy } from './policy';

export interface RegistryClientOptions {
  /** Hosts (host or host:port) reached over plain HTTP, as with `--insecure-registry`. */
  insecureRegistries?: string[];
  /** Explicit credentials by registry host; win over the environment and docker config. */
  credentials?: Credentials;
  /** Environment for OSCOMPOSE_REGISTRY_AUTH_<HOST>; default process.env. */
  env?: Record<string, string | undefined>;
  /** Credentials from docker's config.json; default: read ~/.docker/config.json. false: none. */
  dockerConfig?: Credentials | false;
  /** Attempts after the first on 5xx, 429 and connection errors. Default 3. */
  retries?: number;
  /** First backoff delay; doubles each attempt. Default 300 ms. */
  retryDelayMs?: number;
  /** Largest manifest or index accepted. Default 4 MiB. */
  maxManifestBytes?: number;
  /**
   * Which registries may be named and which addresses reached (servers pulling what users name).
   * Without one (the CLI) every registry is reachable, as with `linuxkit build`.
   */
  policy?: RegistryPolicy;
  /** Time allowed for each request, its body included (the build plan's quick lookups). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface FetchedManifest {
  mediaType: string;
  bytes: Buffer;
  digest: string;
}

export interface RegistryImage {
  /** The normalised reference. */
  reference: string;
  /** Digest of the image manifest for the requested platform. */
  digest: string;
  manifest: ImageManifest;
  manifestBytes: Buffer;
  /** When the reference named an image index: the index (its digest pins every platform). */
  index?: FetchedManifest;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

const MANIFEST_ACCEPT = [MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest, MediaType.dockerManifestList].join(', ');

/** localhost, 127.0.0.0/8 and ::1 (with or without a port). */
export function isLoopbackRegistry(registry: string): boolean {
  let host = registry;
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(registry);
  if (bracket) host = bracket[1]!;
  else if (isIP(registry) !== 6) host = registry.replace(/:\d+$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** The base URL of a registry's API: https, or http for loopback and insecure registries. */
export function registryBaseUrl(registry: string, insecureRegistries: string[] = []): string {
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  const plain = isLoopbackRegistry(registry) || insecureRegistries.some((h) => h.replace(/^https?:\/\//, '').replace(/\/+$/, '') === registry);
  return `${plain ? 'http' : 'https'}://${host}`;
}

/** Parses a WWW-Authenticate challenge: scheme and its key="value" parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^(\w+)\s*(.*)$/s.exec(header.trim());
  const params: Record<string, string> = {};
  for (const p of (m?.[2] ?? '').matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? '';
  return { scheme: (m?.[1] ?? '').toLowerCase(), params };
}

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Whether a thrown network error is worth retrying (connection reset, timeouts, DNS hiccups). */
export function isTransientError(e: unknown): boolean {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    const code = (cur as { code?: string }).code;
    if (code && TRANSIENT_CODES.has(code)) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

export class RegistryClient {
  private readonly opts: RegistryClientOptions;
  private readonly docker: Credentials;
  private readonly fetchFn: typeof fetch;
  /** Authorization header per registry+repository, reused across requests. */
  private readonly authz = new Map<string, string>();

  constructor(opts: RegistryClientOptions = {}) {
    this.opts = opts;
    this.docker = opts.dockerConfig === false ? {} : (opts.dockerConfig ?? loadDockerConfig(opts.env ?? process.env));
    this.fetchFn = opts.fetch ?? (opts.policy ? policyFetch(opts.policy) : fetch);
  }

  /**
   * GET that follows redirects by hand: each hop is a new connection the policy checks, the
   * Authorization header stays with its origin (blob storage gets a signed URL, not our token),
   * and https never turns into http.
   */
  private async get(r: ImageReference, url: string | URL, headers: Record<string, string>): Promise<Response> {
    let at = new URL(url);
    let h = headers;
    for (let hop = 0; ; hop++) {
      const res = await this.fetchFn(at, { headers: h, redirect: 'manual', ...(this.opts.timeoutMs ? { signal: AbortSignal.timeout(this.opts.timeoutMs) } : {}) });
      const location = res.headers.get('location');
      if (!REDIRECTS.has(res.status) || !location) return res;
      await res.arrayBuffer().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) throw new RegistryError(r.name, 'http', `registry ${r.registry} redirected more than ${MAX_REDIRECTS} times`, { status: res.status });
      const next = new URL(location, at);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new RegistryError(r.name, 'http', `registry ${r.registry} redirected to a ${next.protocol} URL`, { status: res.status });
      if (at.protocol === 'https:' && next.protocol === 'http:') {
        throw new RegistryError(r.name, 'insecure', `registry ${r.registry} redirected from https to plain http (${next.origin}); refusing the downgrade`, { status: res.status });
      }
      if (next.origin !== at.origin) h = Object.fromEntries(Object.entries(h).filter(([k]) => k.toLowerCase() !== 'authorization'));
      at = next;
    }
  }

  credentialFor(registry: string): Credential | undefined {
    return credentialFor(registry, { explicit: this.opts.credentials, env: this.opts.env ?? process.env, docker: this.docker });
  }

  /** GET a manifest or index by tag or digest; verifies the digest when one was asked for. */
  async getManifest(ref: string | ImageReference, tagOrDigest?: string): Promise<FetchedManifest> {
    const r = typeof ref === 'string' ? normaliseReference(ref) : ref;
    const which = tagOrDigest ?? r.digest ?? r.tag ?? 'latest';
    const res = await this.request(r, `manifests/${which}`, { accept: MANIFEST_ACCEPT });
    if (res.status !== 200) throw await httpError(r, res, `manifest ${which}`, this.credentialFor(r.registry));
    const max = this.opts.maxManifestBytes ?? 4 << 20;
    const len = Number(res.headers.get('content-length') ?? 0);
    if (len > max) throw new RegistryError(r.name, 'too-large', `the manifest is ${len} bytes, over the ${max}-byte limit`);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > max) throw new RegistryError(r.name, 'too-large', `the manifest is ${bytes.length} bytes, over the ${max}-byte limit`);
    const digest = sha256Digest(bytes);
    if (which.startsWith('sha256:') && digest !== which) {
      throw new RegistryError(r.name, 'digest-mismatch', `the registry sent a manifest with digest ${digest}, not the requested ${which}; the registry or a proxy is corrupting data`);
    }
    // By tag there is nothing to compare with but the digest the registry itself announces.
    const announced = res.headers.get('docker-content-digest');
    if (announced?.startsWith('sha256:') && announced !== digest) {
      throw new RegistryError(r.name, 'digest-mismatch', `the registry announced manifest ${announced} but sent content with digest ${digest}; the registry or a proxy is corrupting data`);
    }
    let mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    try {
      const parsed = JSON.parse(bytes.toString()) as { mediaType?: string; manifests?: unknown; schemaVersion?: number };
      if (parsed.mediaType) mediaType = parsed.mediaType;
      else if (!isIndexMediaType(mediaType) && !isManifestMediaType(mediaType)) mediaType = parsed.manifests ? MediaType.ociIndex : MediaType.ociManifest;
      if (parsed.schemaVersion !== 2) throw new RegistryError(r.name, 'invalid', `unsupported manifest schemaVersion ${parsed.schemaVersion} (Docker schema 1 images are not supported; push the image again with a current client)`);
    } catch (e) {
      if (e instanceof RegistryError) throw e;
      throw new RegistryError(r.name, 'invalid', 'the registry sent a manifest that is not JSON');
    }
    return { mediaType, bytes, digest };
  }

  /** Resolves a reference to one image manifest, picking linux/<arch> from an index. */
  async resolve(ref: string | ImageReference, arch = 'amd64'): Promise<RegistryImage> {
    const r = typeof ref === 'string' ? normaliseReference(ref) : ref;
    const top = await this.getManifest(r);
    if (isIndexMediaType(top.mediaType)) {
      const index = JSON.parse(top.bytes.toString()) as ImageIndex;
      const pick = selectPlatform(index, arch);
      if (!pick) throw new RegistryError(r.name, 'platform', `no linux/${arch} image in this multi-platform image (it has: ${describePlatforms(index)}); choose another --arch or image`);
      const m = await this.getManifest(r, pick.digest);
      if (!isManifestMediaType(m.mediaType)) throw new RegistryError(r.name, 'invalid', `index entry ${pick.digest} is not an image manifest (${m.mediaType})`);
      return { reference: r.name, digest: m.digest, manifest: JSON.parse(m.bytes.toString()) as ImageManifest, manifestBytes: m.bytes, index: top };
    }
    if (!isManifestMediaType(top.mediaType)) throw new RegistryError(r.name, 'invalid', `unsupported manifest media type "${top.mediaType}"`);
    return { reference: r.name, digest: top.digest, manifest: JSON.parse(top.bytes.toString()) as ImageManifest, manifestBytes: top.bytes };
  }

  /**
   * Streams a blob. The caller verifies the digest (the blob cache does, before it keeps a byte);
   * the body is not retried here because the caller may have consumed part of it.
   */
  async blob(ref: string | ImageReference, desc: Pick<Descriptor, 'digest'> & { size?: number }): Promise<AsyncIterable<Buffer>> {
    const r = typeof ref === 'string' ? normaliseReference(ref) : ref;
    const res = await this.request(r, `blobs/${desc.digest}`, {});
    if (res.status !== 200) throw await httpError(r, res, `blob ${desc.digest}`, this.credentialFor(r.registry));
    if (!res.body) return (async function* () {})();
    const body = res.body;
    return (async function* () {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    })();
  }

  /** One API request with auth negotiation and retries on transient failures. */
  private async request(r: ImageReference, path: string, headers: Record<string, string>): Promise<Response> {
    if (this.opts.policy && !registryAllowed(this.opts.policy, r.registry)) throw new RegistryError(r.name, 'not-allowed', notAllowedMessage(r.registry));
    const foreign = this.opts.policy && namespaceProblem(this.opts.policy, r.registry, r.repository);
    if (foreign) throw new RegistryError(r.name, 'denied', foreign, { status: 403 });
    const url = `${registryBaseUrl(r.registry, this.opts.insecureRegistries)}/v2/${r.repository}/${path}`;
    const key = `${r.registry}|${r.repository}`;
    let authTried = false;
    return this.withRetries(r, async () => {
      for (;;) {
        const h: Record<string, string> = { ...headers, 'user-agent': 'oscompose' };
        const a = this.authz.get(key);
        if (a) h.authorization = a;
        const res = await this.get(r, url, h);
        if (res.status === 401 && !authTried) {
          authTried = true;
          const challenge = res.headers.get('www-authenticate');
          await res.arrayBuffer().catch(() => undefined);
          if (!challenge) return res;
          await this.authenticate(r, challenge);
          continue;
        }
        return res;
      }
    });
  }

  private async authenticate(r: ImageReference, header: string): Promise<void> {
    const key = `${r.registry}|${r.repository}`;
    const cred = this.credentialFor(r.registry);
    const { scheme, params } = parseChallenge(header);
    const basic = cred ? `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}` : undefined;
    if (scheme === 'basic') {
      if (!basic) throw noCredentials(r);
      this.authz.set(key, basic);
      return;
    }
    if (scheme !== 'bearer' || !params.realm) throw new RegistryError(r.name, 'unauthorized', `the registry asks for "${scheme}" authentication, which oscompose does not support`, { status: 401 });
    let tu: URL;
    try {
      tu = new URL(params.realm);
    } catch {
      throw new RegistryError(r.name, 'server', `the registry sent an invalid token realm "${params.realm}"`, { status: 401 });
    }
    // Credentials go to a token service only over HTTPS (or to loopback / hosts marked insecure).
    if (basic && tu.protocol !== 'https:' && !(isLoopbackRegistry(tu.host) || (this.opts.insecureRegistries ?? []).includes(tu.host))) {
      throw new RegistryError(r.name, 'insecure', `the token service ${tu.origin} is not HTTPS; refusing to send the password for ${r.registry} in clear text (add ${tu.host} to --insecure-registry if you mean it)`, { status: 401 });
    }
    if (params.service) tu.searchParams.set('service', params.service);
    tu.searchParams.set('scope', params.scope ?? `repository:${r.repository}:pull`);
    const res = await this.withRetries(r, () => this.get(r, tu, basic ? { authorization: basic, 'user-agent': 'oscompose' } : { 'user-agent': 'oscompose' }));
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError(
        r.name,
        'unauthorized',
        cred
          ? `the token service ${tu.origin} rejected the credentials of user "${cred.username}" (${res.status}); check ${credentialEnvName(r.registry)} or your docker login`
          : `the token service ${tu.origin} refused anonymous access (${res.status}); ${credentialHint(r)}`,
        { status: res.status },
      );
    }
    if (res.status !== 200) throw new RegistryError(r.name, 'server', `the token service ${tu.origin} answered ${res.status}`, { status: res.status });
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(r.name, 'server', `the token service ${tu.origin} returned no token`);
    this.authz.set(key, `Bearer ${token}`);
  }

  private async withRetries(r: ImageReference, fn: () => Promise<Response>): Promise<Response> {
    const retries = this.opts.retries ?? 3;
    const delay = this.opts.retryDelayMs ?? 300;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fn();
      } catch (e) {
        if (e instanceof RegistryError) throw e;
        // Refused by the policy: at once, never retried, and the same words whether or not
        // anything listens there.
        const refused = policyErrorOf(e);
        if (refused) throw new RegistryError(r.name, 'not-allowed', notAllowedMessage(refused.host));
        if (attempt < retries && isTransientError(e)) {
          await sleep(delay * 2 ** attempt);
          continue;
        }
        const code = (e as { cause?: { code?: string } }).cause?.code ?? (e as { code?: string }).code;
        // A server does not say why (refused, reset, timed out): that would tell its users what
        // listens on the addresses the operator allowed. The cause keeps it for the logs.
        if (this.opts.policy) throw new RegistryError(r.name, 'network', `cannot reach registry ${r.registry}; check the name and that the registry is up`, { cause: e });
        throw new RegistryError(r.name, 'network', `cannot reach registry ${r.registry} (${code ?? (e as Error).message}); check the name, the network, or --insecure-registry for a plain-HTTP registry`, { cause: e });
      }
      if ((res.status >= 500 || res.status === 429) && attempt < retries) {
        await res.arrayBuffer().catch(() => undefined);
        const after = Number(res.headers.get('retry-after'));
        await sleep(Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 10_000) : delay * 2 ** attempt);
        continue;
      }
      return res;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function credentialHint(r: ImageReference): string {
  return `if the image is private, set ${credentialEnvName(r.registry)}=user:password or run "docker login ${r.registry}"`;
}

function noCredentials(r: ImageReference): RegistryError {
  return new RegistryError(r.name, 'unauthorized', `registry ${r.registry} requires a login (401); ${credentialHint(r)}`, { status: 401 });
}

async function httpError(r: ImageReference, res: Response, what: string, cred: Credential | undefined): Promise<RegistryError> {
  let detail = '';
  try {
    const text = await res.text();
    const j = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    detail = (j.errors ?? []).map((e) => `${e.code}: ${e.message}`).join('; ');
  } catch {
    /* not JSON */
  }
  const d = detail ? ` (${detail})` : '';
  switch (res.status) {
    case 401:
      return cred
        ? new RegistryError(r.name, 'unauthorized', `registry ${r.registry} rejected the credentials of user "${cred.username}" (401)${d}; check ${credentialEnvName(r.registry)} or your docker login`, { status: 401 })
        : new RegistryError(r.name, 'unauthorized', `registry ${r.registry} requires a login (401)${d}, or the image does not exist; ${credentialHint(r)}`, { status: 401 });
    case 403:
      return new RegistryError(r.name, 'denied', `access denied (403)${d}: ${cred ? `user "${cred.username}"` : 'anonymous access'} may not pull ${r.repository} from ${r.registry}`, { status: 403 });
    case 404:
      return new RegistryError(r.name, 'not-found', `not found (404): ${what} of ${r.repository} does not exist on ${r.registry}${d}; check the image name and tag`, { status: 404 });
    default:
      return new RegistryError(r.name, res.status >= 500 ? 'server' : 'http', `registry ${r.registry} answered ${res.status} for ${what}${d}`, { status: res.status });
  }
}
