import { describe, expect, it } from 'vitest';
import { parseServerSpec, parseSpec } from './parse';
import { SpecError } from './problems';

const spec = (source: string, extra = '') => `kernel:\n  image: linuxkit/kernel:6.6.13\ninit:\n  - linuxkit/init:v1.1.0\nfiles:\n  - path: etc/hostname\n    contents: box\n  - path: etc/x\n    source: ${source}\n${extra}`;

describe('server mode: no spec reads the build server\'s files', () => {
  for (const source of ['/etc/shadow', '~/.ssh/id_rsa', 'data/auth-secret', '../../data/auth-secret', './link-to-secret', '""']) {
    it(`refuses source: ${source} on its line, pointing at contents`, () => {
      const r = parseSpec(spec(source), { server: true });
      expect(r.spec).toBeUndefined();
      const p = r.problems.find((x) => x.path.join('.') === 'files.1.source');
      expect(p).toMatchObject({ line: 9, col: 13, severity: 'error' });
      expect(p!.message).toMatch(/build server's disk.*`contents` instead/);
    });
  }

  it('refuses it with optional: true too, and in a spec that has other errors', () => {
    expect(parseSpec(spec('/etc/shadow', '    optional: true\n'), { server: true }).problems.some((p) => p.path.join('.') === 'files.1.source')).toBe(true);
    const broken = parseSpec(spec('/etc/shadow', 'services:\n  - name: x\n    image: y\n    readonly: "no"\n'), { server: true });
    expect(broken.problems.map((p) => p.path.join('.'))).toEqual(expect.arrayContaining(['files.1.source', 'services.0.readonly']));
  });

  it('the CLI (no server flag) keeps LinuxKit\'s behaviour: source is fine', () => {
    const r = parseSpec(spec('/etc/hostname'));
    expect(r.problems).toEqual([]);
    expect(r.spec?.files?.[1]?.source).toBe('/etc/hostname');
  });

  it('contents, directories, symlinks and metadata stay allowed on a server', () => {
    const text = 'files:\n  - path: etc/a\n    contents: a\n  - path: etc/d\n    directory: true\n  - path: etc/l\n    symlink: /etc/shadow\n  - path: etc/m\n    metadata: yaml\n';
    expect(parseSpec(text, { server: true }).problems).toEqual([]);
  });

  it('parseServerSpec, what the web app and the worker both call, gives the typed spec or throws every problem', () => {
    expect(parseServerSpec(spec('/etc/shadow').replace(/  - path: etc\/x\n    source: .*\n/, '')).files?.[0]?.contents).toBe('box');
    let thrown: unknown;
    try {
      parseServerSpec(spec('/etc/shadow'));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SpecError);
    expect((thrown as SpecError).problems.find((p) => p.path.join('.') === 'files.1.source')).toMatchObject({ line: 9, severity: 'error' });
  });
});
