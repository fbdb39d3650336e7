import { describe, expect, it } from 'vitest';
import { bootProblems, parseConsole, parseEvent } from './consoleProtocol';

const BOOT = [
  '[    0.000000] Linux version 6.1.0-56-cloud-amd64',
  'oscompose: init 0.1.0 started',
  'hello from a container',
  'oscompose: onboot 000-hello exit 0',
  '[    3.2] virtio_net virtio0 eth0: renamed oscompose: onboot 001-dhcpcd exit 0',
  'oscompose: service getty started',
  'oscompose: service httpd started',
  'oscompose: boot complete',
  '',
].join('\r\n');

describe('console protocol', () => {
  it('reads each container status, the boot milestone and kernel-interleaved lines', () => {
    const s = parseConsole(BOOT);
    expect(s.initStarted).toBe(true);
    expect(s.bootComplete).toBe(true);
    expect(s.containers).toEqual([
      { phase: 'onboot', name: '000-hello', status: 'exited', exitCode: 0 },
      { phase: 'onboot', name: '001-dhcpcd', status: 'exited', exitCode: 0 },
      { phase: 'service', name: 'getty', status: 'started' },
      { phase: 'service', name: 'httpd', status: 'started' },
    ]);
    expect(bootProblems(s)).toEqual([]);
  });

  it('reports failed onboot containers, services that die, and a boot that never completes', () => {
    const s = parseConsole(
      'oscompose: init dev started\noscompose: onboot 000-sysctl exit 2\noscompose: onboot 001-x error overlay on /containers/onboot/001-x/rootfs failed\n' +
        'oscompose: service httpd started\noscompose: service httpd exit 137\n',
    );
    expect(s.containers[0]).toEqual({ phase: 'onboot', name: '000-sysctl', status: 'exited', exitCode: 2 });
    expect(s.containers[1]).toMatchObject({ status: 'error', message: 'overlay on /containers/onboot/001-x/rootfs failed' });
    expect(s.containers[2]).toEqual({ phase: 'service', name: 'httpd', status: 'exited', exitCode: 137 });
    expect(bootProblems(s)).toEqual([
      'onboot 000-sysctl exited 2',
      'onboot 001-x could not run: overlay on /containers/onboot/001-x/rootfs failed',
      'service httpd exited 137 after starting',
      'init started but never printed "boot complete"',
    ]);
  });

  it('reads the shutdown phase', () => {
    const s = parseConsole('oscompose: service httpd started\noscompose: boot complete\noscompose: shutdown started\noscompose: onshutdown 000-bye exit 0\noscompose: service httpd stopped\noscompose: shutdown complete\n');
    expect(s.shutdownComplete).toBe(true);
    expect(s.containers).toEqual([
      { phase: 'service', name: 'httpd', status: 'stopped' },
      { phase: 'onshutdown', name: '000-bye', status: 'exited', exitCode: 0 },
    ]);
    expect(bootProblems(s)).toEqual([]);
  });

  it('does not count services stopped by the shutdown as failures', () => {
    const s = parseConsole('oscompose: service httpd started\noscompose: boot complete\noscompose: shutdown started\noscompose: service httpd exit 143\noscompose: shutdown complete\n');
    expect(s.containers).toEqual([{ phase: 'service', name: 'httpd', status: 'exited', exitCode: 143, stoppedAtShutdown: true }]);
    expect(bootProblems(s)).toEqual([]);
  });

  it('leaves a half-written last line for later and strips terminal escapes', () => {
    expect(parseConsole('oscompose: boot compl').bootComplete).toBe(false);
    expect(parseConsole('\x1b[2J\x1b[0moscompose: boot complete\n').bootComplete).toBe(true);
  });

  it('keeps unknown payloads as unknown events rather than guessing', () => {
    expect(parseEvent('frobnicate now')).toEqual({ type: 'unknown', text: 'frobnicate now', line: 0 });
    expect(parseEvent('warning 000-x runtime.json bindNS is not supported')).toMatchObject({ type: 'warning' });
  });
});
