import { describe, expect, it } from 'vitest';
import { SpecDocument } from './edit';

const source = `# A small OS.  Hand-written comments must survive form edits.
kernel:
  image: linuxkit/kernel:6.6.13   # pinned on purpose
  cmdline: "console=tty0 console=ttyS0"
init:
  - linuxkit/init:v1.0.0
  - linuxkit/runc:v1.0.0

onboot:
  # bring up the network first
  - name: dhcpcd
    image: linuxkit/dhcpcd:v1.0.0
    command: ["/sbin/dhcpcd", "--nobackground", "-f", "/dhcpcd.conf", "-1"]
services:
  # a shell on the console
  - name: getty
    image: linuxkit/getty:v1.0.0
    env:
     - INSECURE=true
  - name: rngd
    image: linuxkit/rngd:v1.0.0   # entropy
files:
  - path: etc/issue
    contents: |
      welcome
`;

/** Lines of `after` that are not in `before` and vice versa, as a compact diff. */
function diff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { removed: a.slice(p, a.length - s), added: b.slice(p, b.length - s) };
}

describe('SpecDocument', () => {
  it('parses and exposes the spec', () => {
    const d = SpecDocument.parse(source);
    expect(d.problems).toEqual([]);
    expect(d.spec?.services?.map((s) => s.name)).toEqual(['getty', 'rngd']);
    expect(d.toString()).toBe(source);
  });

  it('adds a service at the end, leaving every other byte alone', () => {
    const d = SpecDocument.parse(source).addImage('services', { name: 'sshd', image: 'linuxkit/sshd:v1.0.0', binds: ['/root/.ssh:/root/.ssh'] });
    expect(diff(source, d.toString())).toEqual({
      removed: [],
      added: ['  - name: sshd', '    image: linuxkit/sshd:v1.0.0', '    binds:', '      - /root/.ssh:/root/.ssh'],
    });
    expect(d.spec?.services?.map((s) => s.name)).toEqual(['getty', 'rngd', 'sshd']);
  });

  it('adds an onboot image before the first one, ahead of its comment', () => {
    const d = SpecDocument.parse(source).addImage('onboot', { name: 'sysctl', image: 'linuxkit/sysctl:v1.0.0' }, 0);
    expect(diff(source, d.toString())).toEqual({ removed: [], added: ['  - name: sysctl', '    image: linuxkit/sysctl:v1.0.0'] });
    expect(d.spec?.onboot?.map((s) => s.name)).toEqual(['sysctl', 'dhcpcd']);
  });

  it('creates a missing section at the end of the file', () => {
    const d = SpecDocument.parse(source).addImage('onshutdown', { name: 'bye', image: 'busybox' });
    expect(d.toString()).toBe(`${source}onshutdown:\n  - name: bye\n    image: busybox\n`);
    expect(d.problems).toEqual([]);
  });

  it('removes a service with its comment, by name', () => {
    const d = SpecDocument.parse(source).removeImage('services', 'getty');
    expect(diff(source, d.toString())).toEqual({
      removed: ['  # a shell on the console', '  - name: getty', '    image: linuxkit/getty:v1.0.0', '    env:', '     - INSECURE=true'],
      added: [],
    });
    expect(d.spec?.services?.map((s) => s.name)).toEqual(['rngd']);
  });

  it('removing the last entry leaves an empty list, which is still a valid spec', () => {
    const d = SpecDocument.parse(source).removeImage('onboot', 0);
    expect(d.toString()).toContain('\nonboot: []\nservices:');
    expect(d.problems).toEqual([]);
  });

  it('moves a service down and back up, returning the original text', () => {
    const d = SpecDocument.parse(source).moveImage('services', 'getty', 1);
    expect(d.spec?.services?.map((s) => s.name)).toEqual(['rngd', 'getty']);
    expect(d.toString()).toContain('    image: linuxkit/rngd:v1.0.0   # entropy\n  # a shell on the console\n  - name: getty\n');
    d.moveImage('services', 'getty', 0);
    expect(d.toString()).toBe(source);
  });

  it('sets a scalar in place, keeping the inline comment and the quoting style', () => {
    const d = SpecDocument.parse(source).setField(['kernel', 'image'], 'linuxkit/kernel:6.6.20').setField(['kernel', 'cmdline'], 'console=ttyS0');
    expect(diff(source, d.toString())).toEqual({
      removed: ['  image: linuxkit/kernel:6.6.13   # pinned on purpose', '  cmdline: "console=tty0 console=ttyS0"'],
      added: ['  image: linuxkit/kernel:6.6.20   # pinned on purpose', '  cmdline: "console=ttyS0"'],
    });
  });

  it('adds a new field to a service after its last field', () => {
    const d = SpecDocument.parse(source).setField(['services', 1, 'readonly'], true).setField(['services', 1, 'capabilities'], ['CAP_SYS_ADMIN']);
    expect(diff(source, d.toString()).added).toEqual(['    readonly: true', '    capabilities:', '      - CAP_SYS_ADMIN']);
    expect(d.spec?.services?.[1]).toMatchObject({ readonly: true, capabilities: ['CAP_SYS_ADMIN'] });
  });

  it('replaces a block list value and a flow list value', () => {
    const d = SpecDocument.parse(source)
      .setField(['services', 0, 'env'], ['INSECURE=false', 'HOME=/root'])
      .setField(['onboot', 0, 'command'], ['/sbin/dhcpcd', '-1']);
    expect(d.spec?.services?.[0]?.env).toEqual(['INSECURE=false', 'HOME=/root']);
    expect(d.spec?.onboot?.[0]?.command).toEqual(['/sbin/dhcpcd', '-1']);
    expect(d.toString()).toContain('    command: [/sbin/dhcpcd, "-1"]\n');
    expect(d.toString()).toContain('# bring up the network first');
    expect(d.toString()).toContain('  - name: rngd\n    image: linuxkit/rngd:v1.0.0   # entropy\n');
  });

  it('quotes strings YAML 1.1 would read as something else', () => {
    const d = SpecDocument.parse(source).setField(['services', 1, 'hostname'], 'yes').setField(['files', 0, 'mode'], '0644');
    expect(d.toString()).toBe(source.replace('# entropy\n', '# entropy\n    hostname: "yes"\n').replace('welcome\n', 'welcome\n    mode: "0644"\n'));
    expect(d.spec?.services?.[1]?.hostname).toBe('yes');
    expect(d.problems).toEqual([]);
  });

  it('creates missing parent maps', () => {
    const d = SpecDocument.parse(source).setField(['services', 1, 'runtime', 'mkdir'], ['/var/lib/rngd']);
    expect(diff(source, d.toString()).added).toEqual(['    runtime:', '      mkdir:', '        - /var/lib/rngd']);
    expect(d.spec?.services?.[1]?.runtime?.mkdir).toEqual(['/var/lib/rngd']);
  });

  it('unsets fields, including the first key of a list item', () => {
    const d = SpecDocument.parse(source).unsetField(['kernel', 'cmdline']);
    expect(diff(source, d.toString())).toEqual({ removed: ['  cmdline: "console=tty0 console=ttyS0"'], added: [] });
    const e = SpecDocument.parse(source).unsetField(['services', 0, 'name']);
    expect(diff(source, e.toString())).toEqual({ removed: ['  - name: getty', '    image: linuxkit/getty:v1.0.0'], added: ['  - image: linuxkit/getty:v1.0.0'] });
    expect(SpecDocument.parse(source).unsetField(['services', 0, 'nope']).toString()).toBe(source);
  });

  it('sets a multi-line string as a block scalar', () => {
    const d = SpecDocument.parse(source).setField(['files', 0, 'contents'], 'hello\nworld\n');
    expect(d.spec?.files?.[0]?.contents).toBe('hello\nworld\n');
    expect(d.toString().startsWith(source.slice(0, source.indexOf('files:')))).toBe(true);
  });

  it('edits an empty document', () => {
    const d = SpecDocument.parse('').setField(['kernel', 'image'], 'linuxkit/kernel:6.6.13').addImage('services', { name: 'a', image: 'b' });
    expect(d.toString()).toBe('kernel:\n  image: linuxkit/kernel:6.6.13\nservices:\n  - name: a\n    image: b\n');
  });

  it('refuses to edit text with YAML syntax errors', () => {
    expect(() => SpecDocument.parse('services: [\n').addImage('services', { name: 'a', image: 'b' })).toThrow(/syntax errors/);
  });
});
