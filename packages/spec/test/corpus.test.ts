// The corpus: good specs shaped like LinuxKit's examples must parse cleanly; every broken spec
// lists, in `# expect: LINE:COL: message` comments at its end, exactly the problems it must give.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseSpec, parseSpecs, mergeSpecs, validateFiles } from '@oscompose/spec';

const dir = (name: string) => new URL(`./corpus/${name}/`, import.meta.url);
const specs = (name: string) => readdirSync(dir(name)).filter((f) => f.endsWith('.yml')).sort();
const read = (name: string, file: string) => readFileSync(new URL(file, dir(name)), 'utf8');
const expected = (text: string) => [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);

describe('good specs', () => {
  for (const file of specs('good')) {
    it(`${file} parses`, () => {
      const text = read('good', file);
      const r = parseSpec(text, { file });
      expect(r.problems.map(formatProblem)).toEqual(expected(text).map((e) => `${file}:${e}`));
      expect(r.spec).toBeDefined();
    });
  }

  it('yaml-1.1.yml reads as go-yaml does: `yes`/`on` are true, `<<` merges', () => {
    const spec = parseSpec(read('good', 'yaml-1.1.yml')).spec!;
    expect(spec.services?.[1]).toEqual({ name: 'rngd', image: 'linuxkit/rngd:v1.1.0', readonly: true, noNewPrivileges: true });
  });

  it('every-field.yml sets every field the schema has', async () => {
    const { fieldsAt } = await import('@oscompose/spec');
    const spec = parseSpec(read('good', 'every-field.yml')).spec!;
    const used = new Set<string>();
    const walk = (v: unknown, path: (string | number)[]) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (v && typeof v === 'object') {
        // a record (sysctl, annotations) has free keys; only schema maps count
        if (fieldsAt(path).length === 0) return;
        for (const [k, x] of Object.entries(v)) {
          used.add(`${path.filter((p) => typeof p === 'string').join('.')}:${k}`);
          walk(x, [...path, k]);
        }
      }
    };
    walk(spec, []);
    const missing: string[] = [];
    const check = (path: (string | number)[]) => {
      for (const f of fieldsAt(path)) {
        const id = `${path.filter((p) => typeof p === 'string').join('.')}:${f}`;
        if (!used.has(id) && !['services', 'onshutdown'].includes(String(path[0]))) missing.push(id);
      }
    };
    // every map the schema describes, reached through the onboot entry that uses everything
    const maps: (string | number)[][] = [[], ['kernel'], ['onboot', 0], ['onboot', 0, 'mounts', 0], ['onboot', 0, 'mounts', 0, 'uidmappings', 0],
      ['onboot', 0, 'devices', 0], ['onboot', 0, 'resources'], ['onboot', 0, 'resources', 'devices', 0], ['onboot', 0, 'resources', 'memory'],
      ['onboot', 0, 'resources', 'cpu'], ['onboot', 0, 'resources', 'pids'], ['onboot', 0, 'resources', 'blockio'],
      ['onboot', 0, 'resources', 'blockio', 'weightDevice', 0], ['onboot', 0, 'resources', 'blockio', 'throttleReadBpsDevice', 0],
      ['onboot', 0, 'resources', 'hugepageLimits', 0], ['onboot', 0, 'resources', 'network'], ['onboot', 0, 'resources', 'network', 'priorities', 0],
      ['onboot', 0, 'runtime'], ['onboot', 0, 'runtime', 'interfaces', 0], ['onboot', 0, 'runtime', 'bindNS'], ['trust']];
    maps.forEach(check);
    // capabilities.add / binds.add replace-vs-add are set on the service instead
    expect(missing.filter((m) => !/^onboot:(capabilities|binds)\.add$/.test(m))).toEqual([]);
    for (const f of ['files', 'volumes']) {
      const union = new Set((spec[f as 'files'] as object[]).flatMap((e) => Object.keys(e)));
      expect([...union].sort()).toEqual(fieldsAt([f, 0]).sort());
    }
  });
});

describe('broken specs', () => {
  for (const file of specs('bad')) {
    it(`${file} reports exactly its expected problems`, () => {
      const text = read('bad', file);
      const want = expected(text);
      expect(want.length).toBeGreaterThan(0);
      const r = parseSpec(text);
      expect(r.problems.map(formatProblem)).toEqual(want);
      expect(r.spec).toBeUndefined();
    });
  }
});

describe('several files, as `linuxkit build a.yml b.yml`', () => {
  const inputs = specs('merge').map((file) => ({ file, text: read('merge', file) }));

  it('merges kernel fields (later non-empty wins) and appends lists', () => {
    const r = parseSpecs(inputs.filter((i) => i.file !== 'c-conflict.yml'));
    expect(r.problems).toEqual([]);
    expect(r.spec?.kernel).toEqual({ image: 'linuxkit/kernel:6.6.71', cmdline: 'console=ttyS0 quiet', tar: 'none' });
    expect(r.spec?.init).toEqual(['linuxkit/init:v1.1.0', 'linuxkit/runc:v1.1.0', 'linuxkit/containerd:v1.1.0']);
    expect(r.spec?.services?.map((s) => s.name)).toEqual(['getty', 'sshd']);
    expect(r.spec?.volumes?.map((v) => v.name)).toEqual(['keys']);
  });

  it('a bind may name a volume from another file; each file alone would fail', () => {
    expect(parseSpec(read('merge', 'b-extra.yml')).problems.map(formatProblem)).toEqual([
      '11:9: bind `keys:/root/.ssh`: `keys` is neither an absolute path nor a volume in `volumes`',
    ]);
  });

  it('reports a service name clash across files in the later file', () => {
    const r = parseSpecs(inputs);
    expect(r.problems.map(formatProblem)).toEqual(['c-conflict.yml:2:11: duplicate service name `sshd`; services run side by side and need unique names']);
    expect(r.spec).toBeUndefined();
  });

  it('mergeSpecs keeps empty kernel fields from earlier files', () => {
    expect(mergeSpecs([{ kernel: { image: 'a', cmdline: 'x' } }, { kernel: { image: '', cmdline: 'y' } }]).kernel).toEqual({ image: 'a', cmdline: 'y' });
  });

  it('validateFiles: FILE:LINE:COL lines and exit status', async () => {
    const good = new URL('minimal-getty.yml', dir('good')).pathname;
    const bad = new URL('unknown-keys.yml', dir('bad')).pathname;
    expect(await validateFiles([good])).toEqual({ problems: [], exitCode: 0 });
    const r = await validateFiles([good, bad, '/nonexistent/x.yml']);
    expect(r.exitCode).toBe(1);
    expect(r.problems.map(formatProblem)[0]).toBe(`${bad}:3:3: \`cmdlin\` is not a field of the kernel; did you mean \`cmdline\`?`);
    expect(r.problems.map(formatProblem).at(-1)).toBe('/nonexistent/x.yml:1:1: cannot read the spec: no such file');
    const combined = await validateFiles(specs('merge').map((f) => new URL(f, dir('merge')).pathname), { combine: true });
    expect(combined.exitCode).toBe(1);
    expect(combined.problems).toHaveLength(1);
  });
});

describe('cross-file warnings point at the file that caused them', () => {
  it('a kernel without an image anywhere in the build is reported in the file with the kernel section', () => {
    const r = parseSpecs([{ file: 'a.yml', text: 'init: []\n' }, { file: 'b.yml', text: 'kernel:\n  cmdline: x\n' }]);
    expect(r.problems.map(formatProblem)).toEqual(['b.yml:1:1: warning: the kernel section has no `image`; add one, or give the build another file that does']);
    expect(parseSpecs([{ file: 'a.yml', text: 'kernel:\n  image: k\n' }, { file: 'b.yml', text: 'kernel:\n  cmdline: x\n' }]).problems).toEqual([]);
  });
});
