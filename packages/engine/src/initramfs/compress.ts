// Compression of one section archive: gzip through node:zlib (runs on the libuv thread pool, so
// sections compress in parallel on all cores; no file name or mtime in the header, so output is
// deterministic) or zstd through the `zstd` binary (Debian package zstd). Output goes to a Sink
// (a file), never gathered in memory.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';

export type Compression = 'gzip' | 'zstd' | 'none';

export class CompressionError extends Error {
  override name = 'CompressionError';
}

/** Where compressed bytes go, in order. */
export interface Sink {
  write(b: Buffer): Promise<void>;
}

/**
 * A file written in order through a small buffer (records bring many tiny pieces: headers, padding).
 * Writes are positional, so nothing but the buffer is held.
 */
export class FileSink implements Sink {
  private parts: Buffer[] = [];
  private buffered = 0;
  /** Bytes written so far (including the buffer). */
  bytes = 0;
  private constructor(private readonly fh: FileHandle) {}
  static async create(path: string): Promise<FileSink> {
    return new FileSink(await open(path, 'w'));
  }
  async write(b: Buffer): Promise<void> {
    if (!b.length) return;
    this.bytes += b.length;
    if (b.length >= 1 << 18 && this.buffered === 0) {
      await this.writeAll(b);
      return;
    }
    this.parts.push(b);
    this.buffered += b.length;
    if (this.buffered >= 1 << 20) await this.flush();
  }
  private async flush(): Promise<void> {
    if (!this.buffered) return;
    const b = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.buffered);
    this.parts = [];
    this.buffered = 0;
    await this.writeAll(b);
  }
  /**
   * Appends a whole file (a cached section archive) through one buffer reused for every read:
   * a fresh 1 MiB buffer per read is garbage for V8 to collect.
   */
  async writeFile(path: string): Promise<void> {
    await this.flush();
    const src = await open(path, 'r');
    try {
      const buf = (this.copyBuffer ??= Buffer.allocUnsafe(1 << 20));
      for (;;) {
        const { bytesRead } = await src.read(buf, 0, buf.length, null);
        if (!bytesRead) break;
        await this.writeAll(buf.subarray(0, bytesRead));
        this.bytes += bytesRead;
      }
    } finally {
      await src.close();
    }
  }
  private copyBuffer: Buffer | undefined;
  private async writeAll(b: Buffer): Promise<void> {
    let off = 0;
    while (off < b.length) off += (await this.fh.write(b, off, b.length - off)).bytesWritten;
  }
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.fh.close();
    }
  }
  /** Closes without flushing (after a failure). */
  async abandon(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

/** Compresses a stream of chunks into the sink, whole (zstd, none; gzip as one stream). */
export async function compressTo(chunks: AsyncIterable<Buffer>, kind: Compression, sink: Sink, level?: number): Promise<void> {
  if (kind === 'none') {
    for await (const c of chunks) await sink.write(c);
    return;
  }
  if (kind === 'gzip') {
    const { createGzip, constants } = await import('node:zlib');
    const gz = createGzip({ level: level ?? 5, memLevel: 9, chunkSize: 256 * 1024, strategy: constants.Z_DEFAULT_STRATEGY });
    await Promise.all([feed(chunks, gz).catch((e: unknown) => { gz.destroy(); throw e; }), (async () => { for await (const c of gz) await sink.write(c as Buffer); })()]);
    return;
  }
  const child = spawn('zstd', ['-q', '-c', `-${level ?? 3}`, '--no-check'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const err: Buffer[] = [];
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const spawned = new Promise<void>((_, reject) =>
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new CompressionError(e.code === 'ENOENT' ? 'zstd compression needs the zstd binary: apt-get install zstd (or use --compression gzip)' : `zstd failed: ${e.message}`)),
    ),
  );
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.on('error', () => {});
  const work = Promise.all([
    feed(chunks, child.stdin).catch((e: unknown) => {
      child.kill();
      throw e;
    }),
    (async () => {
      for await (const c of child.stdout) await sink.write(c as Buffer);
    })(),
  ]);
  await Promise.race([work, spawned]);
  const code = await closed;
  if (code !== 0) throw new CompressionError(`zstd exited with ${code}: ${Buffer.concat(err).toString().trim()}`);
}

/** Writes chunks into a writable with backpressure, then ends it. */
async function feed(chunks: AsyncIterable<Buffer>, w: NodeJS.WritableStream & { destroyed?: boolean }): Promise<void> {
  for await (const c of chunks) {
    if (!w.write(c)) await once(w as unknown as import('node:events').EventEmitter, 'drain');
  }
  w.end();
}

/** Compresses small data into one buffer (the trailer archive, tests). */
export async function compress(chunks: AsyncIterable<Buffer>, kind: Compression, level?: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  await compressTo(chunks, kind, { write: async (b) => void parts.push(b) }, level);
  return Buffer.concat(parts);
}
