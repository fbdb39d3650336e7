import { describe, expect, it } from 'vitest';
import { diffSbom } from './diff';
import type { SbomRow } from './read';

const D = (c: string) => `sha256:${c.repeat(64)}`;

const image = (name: string, digest: string): SbomRow => ({ kind: 'image', name, version: digest, image: name, imageDigest: digest });
const pkg = (img: SbomRow, name: string, version: string): SbomRow => ({ kind: 'package', name, version, image: img.name, imageDigest: img.imageDigest, found: 'catalog' });

const runc1 = image('localhost:5000/oscompose/runc:0.1', D('1'));
const init = image('localhost:5000/oscompose/init:0.1', D('3'));
const before: SbomRow[] = [init, pkg(init, 'busybox-static', '1:1.35.0-4+b3'), runc1, pkg(runc1, 'libc6', '2.36-9'), pkg(runc1, 'runc', '1.1.5')];

describe('diffSbom: what changed between two builds', () => {
  it('is empty for the same packages (in any order)', () => {
    expect(diffSbom(before, [...before].reverse())).toEqual([]);
  });

  it('an added image comes with its packages, listed under it', () => {
    const app = image('registry.example/team/app:1', D('4'));
    const after = [...before, app, pkg(app, 'openssl', '3.1.4-r5')];
    expect(diffSbom(before, after).map((c) => [c.change, c.kind, c.name, c.image, c.before, c.after])).toEqual([
      ['added', 'image', app.name, app.name, undefined, D('4')],
      ['added', 'package', 'openssl', app.name, undefined, '3.1.4-r5'],
    ]);
    expect(diffSbom(after, before).map((c) => [c.change, c.name])).toEqual([['removed', app.name], ['removed', 'openssl']]);
  });

  it('a re-tagged image is changed (keyed by repository), its packages added, removed or changed', () => {
    const runc2 = image('localhost:5000/oscompose/runc:0.2', D('2'));
    const after = [init, pkg(init, 'busybox-static', '1:1.35.0-4+b3'), runc2, pkg(runc2, 'runc', '1.1.12'), pkg(runc2, 'libseccomp2', '2.5.4')];
    expect(diffSbom(before, after).map((c) => [c.change, c.kind, c.name, c.before, c.after])).toEqual([
      ['changed', 'image', 'localhost:5000/oscompose/runc:0.1', D('1'), D('2')],
      ['removed', 'package', 'libc6', '2.36-9', undefined],
      ['added', 'package', 'libseccomp2', undefined, '2.5.4'],
      ['changed', 'package', 'runc', '1.1.5', '1.1.12'],
    ]);
  });

  it('the same package in two images is two rows; one image changing it changes only that one', () => {
    const getty = image('localhost:5000/oscompose/getty:0.1', D('5'));
    const a = [...before, getty, pkg(getty, 'libc6', '2.36-9')];
    const b = [...before, getty, pkg(getty, 'libc6', '2.36-9+deb12u9')];
    expect(diffSbom(a, b)).toEqual([{ change: 'changed', kind: 'package', name: 'libc6', image: getty.name, before: '2.36-9', after: '2.36-9+deb12u9' }]);
  });

  it('a package listed twice in one image (two architectures) compares all its versions', () => {
    const a = [...before, pkg(runc1, 'libc6', '2.36-9')];
    const b = [...before.filter((r) => r.name !== 'libc6'), pkg(runc1, 'libc6', '2.36-9'), pkg(runc1, 'libc6', '2.36-10')];
    expect(diffSbom(a, b).map((c) => [c.change, c.name, c.before, c.after])).toEqual([['changed', 'libc6', '2.36-9', '2.36-10, 2.36-9']]);
  });
});
