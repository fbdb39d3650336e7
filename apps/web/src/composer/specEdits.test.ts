import { describe, expect, it } from 'vitest';
import { addCatalogItem, addFile, moveItem, removeItem, setField, unsetField } from './specEdits';

const spec = `# my OS
kernel:
  image: localhost:5000/oscompose/kernel:6.1 # pinned later
  cmdline: console=ttyS0
init:
  - localhost:5000/oscompose/init:1
onboot:
  - name: sysctl # tune the kernel
    image: localhost:5000/oscompose/sysctl:1
  - name: dhcpcd
    image: localhost:5000/oscompose/dhcpcd:1
`;

describe('composer spec edits', () => {
  it('adds a service entry with a unique name and keeps comments', () => {
    const first = addCatalogItem(spec, { kind: 'service', reference: 'localhost:5000/oscompose/getty:1', name: 'getty' });
    const second = addCatalogItem(first.text, { kind: 'service', reference: 'localhost:5000/oscompose/getty:1', name: 'getty' });
    expect(second.text).toContain('# my OS');
    expect(second.text).toContain('# tune the kernel');
    expect(second.text).toContain('# pinned later');
    expect(second.text).toMatch(/services:\n  - name: getty\n    image: localhost:5000\/oscompose\/getty:1\n  - name: getty-2\n/);
    expect(second.selection).toEqual({ section: 'services', index: 1 });
  });

  it('adds into a flow list in the flow style the user chose', () => {
    const { text } = addCatalogItem('kernel:\n  image: k:1\nservices: []\n', { kind: 'service', reference: 'g:1', name: 'getty' });
    expect(text).toBe('kernel:\n  image: k:1\nservices: [{name: getty, image: g:1}]\n');
  });

  it('replaces the kernel image but keeps the cmdline; adds init once', () => {
    let { text } = addCatalogItem(spec, { kind: 'kernel', reference: 'k:2', name: 'kernel' });
    expect(text).toContain('  image: k:2');
    expect(text).toContain('cmdline: console=ttyS0');
    text = addCatalogItem(text, { kind: 'init', reference: 'localhost:5000/oscompose/init:1', name: 'init' }).text;
    expect(text.match(/oscompose\/init:1/g)).toHaveLength(1);
  });

  it('builds a spec from nothing', () => {
    let { text } = addCatalogItem('', { kind: 'kernel', reference: 'k:1', name: 'kernel' });
    text = addCatalogItem(text, { kind: 'onboot', reference: 'o:1', name: 'o' }).text;
    expect(text).toBe('kernel:\n  image: k:1\n  cmdline: console=ttyS0\nonboot:\n  - name: o\n    image: o:1\n');
  });

  it('moves onboot entries (boot order) and removes them', () => {
    const moved = moveItem(spec, 'onboot', 1, 0);
    expect(moved.indexOf('name: dhcpcd')).toBeLessThan(moved.indexOf('name: sysctl'));
    expect(moved).toContain('# tune the kernel');
    const removed = removeItem(moved, { section: 'onboot', index: 0 });
    expect(removed).not.toContain('dhcpcd');
  });

  it('sets and unsets fields, keeping untouched lines byte for byte', () => {
    const withEnv = setField(spec, ['onboot', 1, 'env'], ['A=1']);
    expect(withEnv).toContain('    env:\n      - A=1');
    expect(withEnv.startsWith(spec.slice(0, spec.indexOf('services')).slice(0, 120))).toBe(true);
    const cmd = setField(spec, ['kernel', 'cmdline'], 'console=ttyS0 quiet');
    expect(cmd).toContain('cmdline: console=ttyS0 quiet');
    expect(cmd).toContain('# pinned later');
    expect(unsetField(withEnv, ['onboot', 1, 'env'])).toBe(setField(spec, ['onboot', 1, 'env'], []));
  });

  it('adds a volume from a catalog entry of kind volume, and removes it', () => {
    const { text, selection } = addCatalogItem(spec, { kind: 'volume', reference: 'v:1', name: 'data' });
    expect(text.endsWith('volumes:\n  - name: data\n    image: v:1\n')).toBe(true);
    expect(selection).toEqual({ section: 'volumes', index: 0 });
    expect(removeItem(text, { section: 'volumes', index: 0 })).not.toContain('name: data');
  });

  it('adds a file entry', () => {
    const { text, selection } = addFile(spec, '/etc/motd');
    expect(text).toContain('files:\n  - path: /etc/motd\n');
    expect(selection).toEqual({ section: 'files', index: 0 });
  });
});
