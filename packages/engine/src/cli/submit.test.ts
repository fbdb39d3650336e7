import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { clientConfig, parseExpectHttp, readSse, runSubmit } from './submit';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('submit client', () => {
  it('parses the SSE wire format across chunk boundaries, skipping comments', async () => {
    const text = ': keepalive\n\nid: 1\nevent: log\ndata: {"message":"a"}\n\nid: 2\nevent: status\ndata: {"status":\ndata: "succeeded"}\n\n';
    const chunks = [text.slice(0, 17), text.slice(17, 50), text.slice(50)];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(new TextEncoder().encode(ch));
        c.close();
      },
    });
    const events = [];
    for await (const e of readSse(body)) events.push(e);
    expect(events).toEqual([
      { id: '1', event: 'log', data: '{"message":"a"}' },
      { id: '2', event: 'status', data: '{"status":\n"succeeded"}' },
    ]);
  });

  it('takes server and token from flags, then the environment, then the config file', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'oscompose-cfg-'));
    dirs.push(home);
    await mkdir(path.join(home, 'oscompose'));
    await writeFile(path.join(home, 'oscompose', 'config.json'), JSON.stringify({ server: 'http://file:1/', token: 'file-token' }));
    const env = { XDG_CONFIG_HOME: home };
    expect(await clientConfig({}, env)).toEqual({ server: 'http://file:1', token: 'file-token' });
    expect(await clientConfig({}, { ...env, OSCOMPOSE_SERVER: 'http://env:2', OSCOMPOSE_TOKEN: 'env-token' })).toEqual({ server: 'http://env:2', token: 'env-token' });
    expect(await clientConfig({ server: 'http://flag:3', token: 't' }, { ...env, OSCOMPOSE_SERVER: 'http://env:2' })).toEqual({ server: 'http://flag:3', token: 't' });
    expect(await clientConfig({}, { XDG_CONFIG_HOME: path.join(home, 'none') })).toEqual({ server: 'http://localhost:3000' });
  });

  it('refuses a bad spec before contacting the server, with line and column', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'oscompose-submit-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'bad.yml'), 'kernel:\n  image: 12\n  cmdline: [\n');
    let err = '';
    const code = await runSubmit([path.join(dir, 'bad.yml'), '--server', 'http://127.0.0.1:9'], { out: () => {}, err: (s) => (err += s) });
    expect(code).toBe(2);
    expect(err).toMatch(/bad\.yml:\d+:\d+/);
  });

  it('sends --expect, --expect-http, --boot-timeout and --until-poweroff as the build\'s bootCheck', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'oscompose-submit-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'lk.yml'), 'kernel:\n  image: example.test/kernel:1\ninit:\n  - example.test/init:1\n');
    let body: any;
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        body = JSON.parse(text);
        res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'b1', url: '/api/v1/builds/b1' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const args = [path.join(dir, 'lk.yml'), '--expect', 'hello from onboot', '--expect', '/listening on :\\d+/', '--expect-http', '80/health=ok', '--boot-timeout', '90', '--until-poweroff', '--server', url];
      const code = await runSubmit(args, { out: () => {}, err: () => {}, env: { XDG_CONFIG_HOME: path.join(dir, 'nocfg') } });
      expect(code).toBe(0);
      expect(body.bootCheck).toEqual({ expect: ['hello from onboot', '/listening on :\\d+/'], http: { port: 80, path: '/health', expect: 'ok' }, timeoutSeconds: 90, untilPoweroff: true });
      await runSubmit([path.join(dir, 'lk.yml'), '--server', url], { out: () => {}, err: () => {}, env: { XDG_CONFIG_HOME: path.join(dir, 'nocfg') } });
      expect(body.bootCheck).toBeUndefined();
      let err = '';
      expect(await runSubmit([path.join(dir, 'lk.yml'), '--expect-http', 'eighty', '--server', url], { out: () => {}, err: (s) => (err += s) })).toBe(2);
      expect(err).toContain('--expect-http eighty: write PORT[/PATH][=TEXT]');
    } finally {
      server.close();
    }
    expect(parseExpectHttp('8080')).toEqual({ port: 8080 });
    expect(parseExpectHttp('80=a=b')).toEqual({ port: 80, expect: 'a=b' });
  });

  it('--wait on a build whose boot failed: prints the verdict line and where its console is, exits 1', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'oscompose-submit-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'lk.yml'), 'kernel:\n  image: example.test/kernel:1\ninit:\n  - example.test/init:1\n');
    const message = 'expectation not met within 45 s: "login:"; last console lines: "hello"';
    const build = {
      id: 'b1',
      status: 'failed',
      error: `Boot check failed: ${message}.`,
      bootCheck: { ok: false, verdict: 'failed', message, artifacts: [{ format: 'kernel+initrd', verdict: 'failed', console: '/api/v1/builds/b1/artifacts/lk-initrd.img.console.txt' }, { format: 'tar', verdict: 'not checked', console: null }] },
    };
    const server = createServer((req, res) => {
      if (req.method === 'POST') return void res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'b1', url: '/api/v1/builds/b1' }));
      if (req.url!.endsWith('/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`id: 1\nevent: bootcheck\ndata: ${JSON.stringify({ format: 'kernel+initrd', verdict: 'failed', message, ok: false })}\n\n`);
        return void res.end(`id: 2\nevent: status\ndata: {"status":"failed"}\n\n`);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(build));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      let err = '';
      const code = await runSubmit([path.join(dir, 'lk.yml'), '--expect', 'login:', '--wait', '--server', url], { out: () => {}, err: (s) => (err += s), env: { XDG_CONFIG_HOME: path.join(dir, 'nocfg') } });
      expect(code).toBe(1);
      expect(err).toContain(`  boot check kernel+initrd: FAILED — ${message}\n`);
      expect(err).toContain(`build b1 failed: Boot check failed: ${message}.\n`);
      expect(err).toContain(`  boot console of kernel+initrd: ${url}/api/v1/builds/b1/artifacts/lk-initrd.img.console.txt\n`);
      expect(err).not.toContain('boot console of tar');
    } finally {
      server.close();
    }
  });
});
