// Attack on the network behind the worker from inside the boot check: a spec whose onboot
// container, once the built system boots in QEMU, tries to reach the worker host's services
// (slirp's host address 10.0.2.2, and the guest's idea of 127.0.0.1/the host name) on a port
// where a real listener on the host's loopback counts connections. The boot check's user-mode
// network is restricted: the probe runs (its output is on the console, the network came up
// through DHCP) and the listener sees nothing. Built from the starter catalog's Debian packages
// (data/debian cache), booted with the real bootCheck; needs qemu-system-x86_64.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootCheck } from '@oscompose/bootcheck';
import { buildStarterCatalog } from '@oscompose/catalog';
import { build } from '@oscompose/engine';
import { startConnectionCounter } from '@oscompose/engine/testing';
import { parseSpec, type Spec } from '@oscompose/spec';
import { REPO } from '@oscompose/worker/testing';

let work: string;
let store: string;
let counter: Awaited<ReturnType<typeof startConnectionCounter>>;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'oscompose-boot-attack-'));
  store = path.join(work, 'images');
  await buildStarterCatalog({ imageStore: store, cacheDir: process.env.OSCOMPOSE_DEBIAN_CACHE ?? path.join(REPO, 'data/debian'), only: ['kernel', 'init', 'runc', 'dhcpcd', 'hello'] });
  counter = await startConnectionCounter();
}, 600_000);

afterAll(async () => {
  await counter?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a booted spec and the worker host\'s network', () => {
  it('an onboot container cannot connect to the host (10.0.2.2, 127.0.0.1) during the boot check', async () => {
    const probe = `for h in 10.0.2.2 127.0.0.1; do if echo probe | /bin/busybox nc -w 3 $h ${counter.port}; then echo "probe-reached-$h"; else echo "probe-blocked-$h"; fi; done`;
    const text = [
      'kernel:',
      '  image: localhost:5000/oscompose/kernel:6.1',
      '  cmdline: "console=ttyS0"',
      'init:',
      '  - localhost:5000/oscompose/init:0.1',
      '  - localhost:5000/oscompose/runc:0.1',
      'onboot:',
      '  - name: dhcpcd',
      '    image: localhost:5000/oscompose/dhcpcd:0.1',
      '  - name: probe',
      '    image: localhost:5000/oscompose/hello:0.1',
      '    net: host',
      `    command: ["/bin/busybox", "sh", "-c", ${JSON.stringify(`/bin/busybox ip -4 addr show eth0; ${probe}; true`)}]`,
      '',
    ].join('\n');
    const parsed = parseSpec(text, { server: true });
    expect(parsed.problems).toEqual([]);
    const out = path.join(work, 'out');
    const res = await build({ spec: parsed.spec as Spec, sources: 'none', imageStores: [store], cacheDir: path.join(work, 'cache'), outDir: out, name: 'probe', formats: ['kernel+initrd'] });
    const file = (suffix: string) => res.artifacts.find((a) => a.name.endsWith(suffix))!.path;
    const { readFile } = await import('node:fs/promises');
    const r = await bootCheck({ kernel: file('-kernel'), initrd: file('-initrd.img'), cmdline: (await readFile(file('-cmdline'), 'utf8')).trim() }, { timeoutMs: 300_000 });
    const console_ = r.console ?? '';
    expect(r.containers, console_.slice(-3000)).toContainEqual({ phase: 'onboot', name: '001-probe', status: 'exited', exitCode: 0 });
    // The network was up (a DHCP lease from QEMU) and the probe ran against both addresses.
    expect(console_).toMatch(/inet 10\.0\.2\.\d+/);
    expect(console_).toContain('probe-blocked-10.0.2.2');
    expect(console_).toContain('probe-blocked-127.0.0.1');
    expect(console_).not.toContain('probe-reached');
    expect(counter.connections()).toBe(0);
  }, 600_000);
});
