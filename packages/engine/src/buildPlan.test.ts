import { describe, expect, it } from 'vitest';
import type { Spec } from '@oscompose/spec';
import { plan } from './buildPlan';
import type { ResolvedImages } from './inputs';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const resolved: ResolvedImages = {
  images: new Map([
    ['k:1', { ref: 'k:1', digest: digest('a') }],
    ['init:1', { ref: 'init:1', digest: digest('b') }],
    ['svc:1', { ref: 'svc:1', digest: digest('c'), config: { Cmd: ['/svc'] } }],
  ]),
  pinned: new Map([
    ['k:1', `k:1@${digest('a')}`],
    ['init:1', `init:1@${digest('b')}`],
    ['svc:1', `svc:1@${digest('c')}`],
  ]),
};
const spec: Spec = {
  kernel: { image: 'k:1', cmdline: 'console=ttyS0' },
  init: ['init:1'],
  services: [{ name: 'svc', image: 'svc:1' }],
  files: [{ path: 'etc/key', source: 'key.pub' }, { path: 'etc/issue', contents: 'hi\n' }],
};
const keys = (p: ReturnType<typeof plan>) => Object.fromEntries(p.sections.map((s) => [s.id, s.cacheKey]));

describe('plan (pure: spec + resolved images + sources → sections, keys, outputs)', () => {
  it('gives the same plan for the same inputs, every key final', () => {
    const a = plan(spec, resolved, { sources: new Map([['key.pub', Buffer.from('k1')]]), name: 'sys', formats: ['kernel+initrd', 'tar'] });
    const b = plan(spec, resolved, { sources: new Map([['key.pub', Buffer.from('k1')]]), name: 'sys', formats: ['kernel+initrd', 'tar'] });
    expect(keys(a)).toEqual(keys(b));
    expect(a.sections.map((s) => s.id)).toEqual(['kernel', 'init[0]', 'services[0]', 'files']);
    expect(a.outputs.map((o) => [o.format, o.artifacts])).toEqual([['kernel+initrd', ['sys-kernel', 'sys-initrd.img', 'sys-cmdline']], ['tar', ['sys.tar']]]);
    expect(a.resolved.services![0]!.image).toBe(`svc:1@${digest('c')}`);
    expect(a.files.find((e) => e.path === 'etc/key')!.content!.toString()).toBe('k1');
  });

  it("keys the files section by what it writes: a changed source file changes only that section's key", () => {
    const a = keys(plan(spec, resolved, { sources: new Map([['key.pub', Buffer.from('k1')]]) }));
    const b = keys(plan(spec, resolved, { sources: new Map([['key.pub', Buffer.from('k2')]]) }));
    expect(b.files).not.toBe(a.files);
    expect({ ...b, files: undefined }).toEqual({ ...a, files: undefined });
  });

  it('puts the hard-link policy and compression level in every section key', () => {
    const a = keys(plan(spec, resolved, { sources: new Map([['key.pub', Buffer.from('k1')]]) }));
    const b = keys(plan(spec, resolved, { sources: new Map([['key.pub', Buffer.from('k1')]]), hardlinks: 'keep', compressionLevel: 9 }));
    for (const id of Object.keys(a)) expect(b[id]).not.toBe(a[id]);
  });

  it('refuses an unknown format and an unreadable source by name', () => {
    expect(() => plan(spec, resolved, { formats: ['floppy'] })).toThrow(/unknown format "floppy"; known formats: .*kernel\+initrd/);
    expect(() => plan(spec, resolved, {})).toThrow(/source file key.pub for etc\/key cannot be read/);
  });
});
