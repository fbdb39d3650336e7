// Artifact store on an S3-compatible bucket (AWS S3, MinIO), for several worker machines. An S3
// PUT is atomic: the object appears only once the whole body has arrived. The body is signed
// with its real sha256, so the server rejects a body that changed on the way.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { EMPTY_SHA256, signRequest, uriEncode, type Credentials } from './sigv4';
import { StorageError, checkKey, type ArtifactStore, type ByteRange, type StoredObject } from './types';

export interface S3Config {
  /** e.g. http://127.0.0.1:9000 (MinIO) or https://s3.eu-west-1.amazonaws.com */
  endpoint: string;
  region: string;
  bucket: string;
  credentials: Credentials;
  /** Key prefix inside the bucket (no leading or trailing slash). */
  prefix?: string;
  /** Path-style URLs (bucket in the path): what MinIO wants; default true. */
  forcePathStyle?: boolean;
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class S3ArtifactStore implements ArtifactStore {
  readonly kind = 's3' as const;
  constructor(readonly config: S3Config) {}

  private objectUrl(key: string, query?: Record<string, string>): URL {
    const full = this.config.prefix ? `${this.config.prefix}/${checkKey(key)}` : checkKey(key);
    return this.bucketUrl(`/${full.split('/').map(uriEncode).join('/')}`, query);
  }

  private bucketUrl(pathPart = '/', query?: Record<string, string>): URL {
    const base = new URL(this.config.endpoint);
    const pathStyle = this.config.forcePathStyle ?? true;
    const url = pathStyle
      ? new URL(`${base.origin}/${this.config.bucket}${pathPart}`)
      : new URL(`${base.protocol}//${this.config.bucket}.${base.host}${pathPart}`);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return url;
  }

  private async send(method: string, url: URL, init: { headers?: Record<string, string>; body?: BodyInit; payloadHash?: string } = {}): Promise<Response> {
    const headers = signRequest({
      method,
      url,
      headers: init.headers ?? {},
      payloadHash: init.payloadHash ?? EMPTY_SHA256,
      region: this.config.region,
      credentials: this.config.credentials,
    });
    delete headers.host; // fetch sets it
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: init.body, ...(init.body ? { duplex: 'half' } : {}) } as RequestInit);
    } catch (err) {
      throw new StorageError('unavailable', `S3 endpoint ${this.config.endpoint} is unreachable (${(err as Error).message}); check OSCOMPOSE_S3_ENDPOINT.`);
    }
    if (res.status === 401 || res.status === 403) {
      throw new StorageError('config', `S3 ${method} ${url.pathname} was refused (${res.status}): check OSCOMPOSE_S3_ACCESS_KEY_ID / OSCOMPOSE_S3_SECRET_ACCESS_KEY and the bucket policy.`);
    }
    if (res.status >= 500) {
      throw new StorageError('unavailable', `S3 ${method} ${url.pathname} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
    return res;
  }

  async put(key: string, sourcePath: string, opts: { expectSha256?: string; contentType?: string } = {}): Promise<StoredObject> {
    const sha256 = await fileSha256(sourcePath);
    if (opts.expectSha256 && opts.expectSha256 !== sha256) {
      throw new StorageError('checksum_mismatch', `Artifact ${key}: content sha256 ${sha256} is not the expected ${opts.expectSha256}.`);
    }
    const { size } = await stat(sourcePath);
    const res = await this.send('PUT', this.objectUrl(key), {
      headers: {
        'content-length': String(size),
        'content-type': opts.contentType ?? 'application/octet-stream',
        'x-amz-meta-sha256': sha256,
      },
      body: Readable.toWeb(createReadStream(sourcePath)) as unknown as BodyInit,
      payloadHash: sha256,
    });
    if (!res.ok) throw new StorageError('unavailable', `S3 PUT ${key} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return { key, size, sha256 };
  }

  async stat(key: string): Promise<StoredObject | null> {
    const res = await this.send('HEAD', this.objectUrl(key));
    if (res.status === 404) return null;
    if (!res.ok) throw new StorageError('unavailable', `S3 HEAD ${key} answered ${res.status}.`);
    const sha256 = res.headers.get('x-amz-meta-sha256') ?? undefined;
    return { key, size: Number(res.headers.get('content-length') ?? 0), ...(sha256 ? { sha256 } : {}) };
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const res = await this.send('GET', this.objectUrl(key), { headers: range ? { range: `bytes=${range.start}-${range.end}` } : {} });
    if (res.status === 404) throw new StorageError('not_found', `Artifact ${key} is not in the bucket (it may have been removed by retention).`);
    if (!res.ok || !res.body) throw new StorageError('unavailable', `S3 GET ${key} answered ${res.status}.`);
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) {
      const res = await this.send('DELETE', this.objectUrl(key));
      if (!res.ok && res.status !== 404) throw new StorageError('unavailable', `S3 DELETE ${key} answered ${res.status}.`);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const full = this.config.prefix ? `${this.config.prefix}/${prefix}` : prefix;
    let token: string | undefined;
    do {
      const query: Record<string, string> = { 'list-type': '2', prefix: full };
      if (token) query['continuation-token'] = token;
      const res = await this.send('GET', this.bucketUrl('/', query));
      const xml = await res.text();
      if (!res.ok) throw new StorageError('unavailable', `S3 list ${prefix} answered ${res.status}: ${xml.slice(0, 300)}`);
      for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const body = m[1] ?? '';
        const key = unescapeXml(/<Key>([\s\S]*?)<\/Key>/.exec(body)?.[1] ?? '');
        const size = Number(/<Size>(\d+)<\/Size>/.exec(body)?.[1] ?? 0);
        out.push({ key: this.config.prefix ? key.slice(this.config.prefix.length + 1) : key, size });
      }
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? unescapeXml(/<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1] ?? '') : undefined;
    } while (token);
    return out;
  }
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
