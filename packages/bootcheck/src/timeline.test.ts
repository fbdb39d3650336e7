import { describe, expect, it } from 'vitest';
import { bootTimeline } from './timeline';
import { ConsoleLines } from './verdict';

/** Console lines as the boot check times them (ms since QEMU started). */
function console(timed: [number, string][]) {
  const c = new ConsoleLines();
  for (const [at, text] of timed) c.push(`${text}\n`, at);
  return c.lines;
}

describe('bootTimeline', () => {
  it('firmware, kernel, init, each onboot container in order, services, boot complete', () => {
    const t = bootTimeline(
      console([
        [300, 'SeaBIOS (version 1.16.2-debian-1.16.2-1)'],
        [900, '[    0.000000] Linux version 6.1.0-28-cloud-amd64 (debian-kernel@lists.debian.org)'],
        [2500, '[    1.801000] Freeing unused kernel image (initmem) memory: 2748K'],
        [2510, '[    1.802000] Run /init as init process'],
        [3400, 'oscompose: init 0.1 started'],
        [5200, 'oscompose: onboot 000-dhcpcd exit 0'],
        [5900, '[    5.1] random: crng init done'],
        [6100, 'oscompose: onboot 001-hello exit 0'],
        [6800, 'oscompose: service getty started'],
        [7300, 'oscompose: service httpd started'],
        [7310, 'oscompose: boot complete'],
        [9000, 'oscompose: service httpd exit 1'],
      ]),
    );
    expect(t.spans.map((s) => [s.phase, s.label, s.startMs, s.endMs])).toEqual([
      ['firmware', 'firmware', 0, 900],
      ['kernel', 'kernel', 900, 2510],
      ['init', 'init', 2510, 3400],
      ['onboot', '000-dhcpcd', 3400, 5200],
      ['onboot', '001-hello', 5200, 6100],
      ['services', 'services', 6100, 7310],
    ]);
    expect(t.services).toEqual([{ name: 'getty', atMs: 6800 }, { name: 'httpd', atMs: 7300 }]);
    expect(t.completeMs).toBe(7310);
  });

  it('another init: firmware and kernel only, no boot complete', () => {
    const t = bootTimeline(console([[100, '[    0.000000] Linux version 6.1.0'], [1500, '[    1.2] Run /sbin/init as init process'], [1600, 'Welcome']]));
    expect(t.spans.map((s) => s.phase)).toEqual(['firmware', 'kernel']);
    expect(t.completeMs).toBeNull();
  });
});
