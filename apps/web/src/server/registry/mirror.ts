// Mirrors the image store (an OCI layout, data/images) into the registry `npm start` serves, so
// exported LinuxKit YAML naming localhost:5000/oscompose/<name>:<tag> builds with `linuxkit build`.
// Pushes with the system identity (user oscompose-system, the secret in data/registry-token);
// an image whose tag already points at the same digest is skipped, so a second run is quick.
import { pushImage, readIndex, normaliseReference } from '@oscompose/engine';
import { PUBLIC_NAMESPACE, SYSTEM_USER } from '../auth/registryToken';

export interface MirrorOptions {
  /** The image store directory (OCI layout). */
  imageStore: string;
  /** host:port of the registry, plain HTTP (127.0.0.1:5000). */
  host: string;
  /** The system secret (data/registry-token/system-secret). */
  secret: string;
  log?: (line: string) => void;
}

export interface MirrorResult {
  pushed: string[];
  unchanged: string[];
  failed: { reference: string; error: string }[];
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The store's references in the public namespace, as { reference, repository, tag, digest } (pure over index.json). */
export function publicImages(manifests: { digest: string; annotations?: Record<string, string> }[]) {
  const out: { reference: string; repository: string; tag: string; digest: string }[] = [];
  for (const d of manifests) {
    const ann = d.annotations?.['org.opencontainers.image.ref.name'];
    if (!ann) continue;
    let r;
    try {
      r = normaliseReference(ann);
    } catch {
      continue;
    }
    // Team namespaces stay private to their team: only oscompose/* is mirrored (docs/registry.md).
    if (!r.tag || r.repository.split('/')[0] !== PUBLIC_NAMESPACE) continue;
    out.push({ reference: ann, repository: r.repository, tag: r.tag, digest: d.digest });
  }
  return out;
}

/** The digest the registry holds for repository:tag (anonymous pull, as `linuxkit build` does), or null. */
export async function remoteDigest(host: string, repository: string, tag: string): Promise<string | null> {
  const url = `http://${host}/v2/${repository}/manifests/${tag}`;
  let res = await fetch(url, { method: 'HEAD', headers: { accept: MANIFEST_TYPES } });
  const challenge = res.headers.get('www-authenticate') ?? '';
  if (res.status === 401 && challenge.startsWith('Bearer ')) {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const tokenUrl = new URL(params.realm!);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    tokenUrl.searchParams.set('scope', `repository:${repository}:pull`);
    const t = await fetch(tokenUrl);
    if (t.status !== 200) return null;
    const body = (await t.json()) as { token?: string; access_token?: string };
    res = await fetch(url, { method: 'HEAD', headers: { accept: MANIFEST_TYPES, authorization: `Bearer ${body.token ?? body.access_token}` } });
  }
  return res.status === 200 ? res.headers.get('docker-content-digest') : null;
}

export async function mirrorImageStore(opts: MirrorOptions): Promise<MirrorResult> {
  const log = opts.log ?? (() => {});
  const result: MirrorResult = { pushed: [], unchanged: [], failed: [] };
  const index = await readIndex(opts.imageStore);
  for (const img of publicImages(index.manifests)) {
    const target = `${opts.host}/${img.repository}:${img.tag}`;
    try {
      if ((await remoteDigest(opts.host, img.repository, img.tag)) === img.digest) {
        result.unchanged.push(target);
        continue;
      }
      // `reference` finds the image in the store; the repository path is what the registry gets.
      const digest = await pushImage(opts.host, img.reference, opts.imageStore, { username: SYSTEM_USER, password: opts.secret });
      if (digest !== img.digest) throw new Error(`pushed ${digest}, the store holds ${img.digest}`);
      result.pushed.push(target);
      log(`mirrored ${target} (${img.digest.slice(0, 19)})`);
    } catch (err) {
      result.failed.push({ reference: target, error: (err as Error).message });
      log(`could not mirror ${target}: ${(err as Error).message}`);
    }
  }
  return result;
}
