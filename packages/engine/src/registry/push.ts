// Pushes images to a registry with the OCI distribution API (blobs, then manifests, then the
// tag): the web app mirrors the image store into the instance's registry with it, the catalog
// build publishes its images, tests push fixtures.
import { findInLayout, readBlob, readIndex } from '../oci/layout';
import { normaliseReference } from '../oci/reference';
import { isIndexMediaType, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/types';

export interface PushOptions {
  username?: string;
  password?: string;
}

/** What a push sends: the top manifest (or index), the manifests an index names, and blobs. */
export interface PushContent {
  top: { mediaType: string; bytes: Buffer; digest: string };
  children: { mediaType: string; bytes: Buffer; digest: string }[];
  blobs: Map<string, Buffer>;
}

/**
 * Pushes an image (or image index) to a registry with the OCI distribution API. `source` is an
 * OCI layout directory (the image named `ref`, or its only image) or content already in memory.
 * Plain HTTP: it pushes to the instance's own registry on the host (registry.md).
 */
export async function pushImage(host: string, ref: string, source: string | PushContent, opts: PushOptions = {}): Promise<string> {
  const r = normaliseReference(ref);
  const repo = r.repository;
  const set = typeof source === 'string' ? await loadFromLayout(source, ref) : source;
  const base = `http://${host}/v2/${repo}`;
  const session = new PushSession(opts, repo);
  for (const [digest, data] of set.blobs) {
    const head = await session.fetch(`${base}/blobs/${digest}`, { method: 'HEAD' });
    if (head.status === 200) continue;
    const start = await session.fetch(`${base}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) throw new Error(`push ${ref}: starting a blob upload failed with ${start.status}: ${await start.text()}`);
    const loc = new URL(start.headers.get('location')!, `http://${host}`);
    loc.searchParams.set('digest', digest);
    const put = await session.fetch(loc.toString(), { method: 'PUT', body: new Uint8Array(data), headers: { 'content-type': 'application/octet-stream' } });
    if (put.status !== 201) throw new Error(`push ${ref}: blob upload failed with ${put.status}: ${await put.text()}`);
  }
  for (const m of set.children) {
    const res = await session.fetch(`${base}/manifests/${m.digest}`, { method: 'PUT', body: new Uint8Array(m.bytes), headers: { 'content-type': m.mediaType } });
    if (res.status !== 201) throw new Error(`push ${ref}: manifest upload failed with ${res.status}: ${await res.text()}`);
  }
  const tag = r.tag ?? set.top.digest;
  const res = await session.fetch(`${base}/manifests/${tag}`, { method: 'PUT', body: new Uint8Array(set.top.bytes), headers: { 'content-type': set.top.mediaType } });
  if (res.status !== 201) throw new Error(`push ${ref}: manifest upload failed with ${res.status}: ${await res.text()}`);
  return set.top.digest;
}

/** Handles basic and token auth for pushes (no retries: a failed push fails its caller). */
class PushSession {
  private authz?: string;
  constructor(
    private opts: PushOptions,
    private repo: string,
  ) {
    if (opts.username) this.authz = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
  }
  async fetch(url: string, init: RequestInit): Promise<Response> {
    const go = () => fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...(this.authz ? { authorization: this.authz } : {}) } });
    let res = await go();
    const challenge = res.headers.get('www-authenticate') ?? '';
    if (res.status === 401 && challenge.startsWith('Bearer ')) {
      const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      const tu = new URL(params.realm!);
      if (params.service) tu.searchParams.set('service', params.service);
      tu.searchParams.append('scope', `repository:${this.repo}:pull,push`);
      const basic: Record<string, string> = this.opts.username ? { authorization: `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password ?? ''}`).toString('base64')}` } : {};
      const tr = await fetch(tu, { headers: basic });
      if (tr.status !== 200) throw new Error(`token server refused: ${tr.status}`);
      const body = (await tr.json()) as { token?: string; access_token?: string };
      this.authz = `Bearer ${body.token ?? body.access_token}`;
      res = await go();
    }
    return res;
  }
}

async function loadFromLayout(dir: string, ref: string): Promise<PushContent> {
  let desc: Descriptor | undefined = await findInLayout(dir, ref);
  if (!desc) {
    const index = await readIndex(dir);
    if (index.manifests.length !== 1) throw new Error(`${dir} has no image named ${ref}`);
    desc = index.manifests[0]!;
  }
  const blobs = new Map<string, Buffer>();
  const children: PushContent['children'] = [];
  const topBytes = await readBlob(dir, desc.digest);
  const addManifest = async (bytes: Buffer) => {
    const m = JSON.parse(bytes.toString()) as ImageManifest;
    for (const d of [m.config, ...m.layers]) blobs.set(d.digest, await readBlob(dir, d.digest));
  };
  if (isIndexMediaType(desc.mediaType)) {
    const idx = JSON.parse(topBytes.toString()) as ImageIndex;
    for (const c of idx.manifests) {
      const bytes = await readBlob(dir, c.digest);
      children.push({ mediaType: c.mediaType, bytes, digest: c.digest });
      await addManifest(bytes);
    }
  } else {
    await addManifest(topBytes);
  }
  return { top: { mediaType: desc.mediaType, bytes: topBytes, digest: desc.digest }, children, blobs };
}
