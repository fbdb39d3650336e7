// A private redis-server (never the shared one on 6379) on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './ports';
import { waitFor } from './wait';

export interface RedisServer {
  url: string;
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/**
 * A private redis-server (never the shared one on 6379) on loopback. Without `dataDir` nothing
 * persists; with it, an fsync-always append-only file keeps the queue across a restart (as a
 * production Redis for BullMQ should be configured).
 */
export async function startRedis(port?: number, opts: { dataDir?: string } = {}): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const persistence = opts.dataDir ? ['--dir', opts.dataDir, '--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const { Redis: RedisClient } = await import('ioredis');
  const launch = () => {
    const proc = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', ...persistence], { stdio: 'ignore' });
    proc.on('error', (err) => {
      throw new Error(`cannot start redis-server (${err.message}): apt-get install redis-server`);
    });
    return proc;
  };
  const ping = async () => {
    const c = new RedisClient(p, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => {});
    try {
      await c.connect();
      return (await c.ping()) === 'PONG';
    } finally {
      c.disconnect();
    }
  };
  const server: RedisServer = {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    proc: launch(),
    async stop() {
      if (server.proc.exitCode === null && server.proc.signalCode === null) {
        const exited = new Promise((r) => server.proc.once('exit', r));
        server.proc.kill('SIGKILL');
        await exited;
      }
    },
    async restart() {
      await server.stop();
      server.proc = launch();
      await waitFor(ping, `redis-server on port ${p}`);
    },
  };
  await waitFor(ping, `redis-server on port ${p} (is redis-server installed? apt-get install redis-server)`);
  return server;
}
