// Compression of one section archive: gzip through node:zlib (runs on the libuv thread pool, so
// sections compress in parallel on all cores; no file name or mtime in the header, so output is
// deterministic) or zstd through the `zstd` binary (Debian package zstd).
import { spawn } from 'node:child_process';
import { constants, createGzip } from 'node:zlib';
import { Readable } from 'node:stream';

export type Compression = 'gzip' | 'zstd' | 'none';

export class CompressionError extends Error {
  override name = 'CompressionError';
}

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Compresses a stream of chunks into one buffer. */
export async function compress(chunks: AsyncIterable<Buffer>, kind: Compression, level?: number): Promise<Buffer> {
  if (kind === 'none') return drain(Readable.from(chunks));
  if (kind === 'gzip') {
    const gz = createGzip({ level: level ?? 5, memLevel: 9, chunkSize: 256 * 1024, strategy: constants.Z_DEFAULT_STRATEGY });
    const out = drain(gz);
    Readable.from(chunks).pipe(gz);
    return out;
  }
  return new Promise<Buffer>((resolve, reject) => {
    const child = spawn('zstd', ['-q', '-c', `-${level ?? 3}`, '--no-check'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new CompressionError(e.code === 'ENOENT' ? 'zstd compression needs the zstd binary: apt-get install zstd (or use --compression gzip)' : `zstd failed: ${e.message}`)),
    );
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new CompressionError(`zstd exited with ${code}: ${Buffer.concat(err).toString().trim()}`))));
    Readable.from(chunks).pipe(child.stdin);
    child.stdin.on('error', () => {});
  });
}
