// LinuxKit's own examples/ and test/cases/** specs (v1.7.1, copied as test data; see
// linuxkit/README.md): `oscompose validate` accepts exactly what `linuxkit build --dry-run`
// accepts, apart from the specs listed below, which LinuxKit's build itself refuses later.
// verdicts.txt records LinuxKit's verdict; with LINUXKIT=path the record is checked against the
// binary too, and with LINUXKIT_GIT_DIR=path the copies against LinuxKit's repository, so neither
// can go stale unnoticed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblems, hasErrors, parseSpecs } from '@oscompose/spec';

const here = join(dirname(fileURLToPath(import.meta.url)), 'linuxkit');
const root = join(here, 'v1.7.1');
const verdicts = readFileSync(join(here, 'verdicts.txt'), 'utf8').trim().split('\n').map((l) => {
  const [verdict, path] = l.split(' ') as ['accepted' | 'rejected', string];
  return { verdict, path };
});

/** Accepted by the dry run (which only parses), refused by LinuxKit's build; we refuse earlier. */
const REFUSED_BY_LINUXKIT_BUILD: Record<string, string> = {
  // build/volume.go: a read-only volume bound read-write; its test.sh expects the build to fail.
  'test/cases/000_build/070_volumes/002_rw_on_ro/test.yml': 'volume `vola` is read-only',
};

describe("LinuxKit v1.7.1's own specs", () => {
  it('covers examples/ and test/cases/ (195 files)', () => {
    expect(verdicts.length).toBe(195);
    expect(verdicts.filter((v) => v.path.startsWith('examples/')).length).toBeGreaterThan(30);
  });

  for (const { verdict, path } of verdicts) {
    it(`${path}: LinuxKit ${verdict} it, so does oscompose validate`, () => {
      const text = readFileSync(join(root, path), 'utf8');
      const { problems } = parseSpecs([{ file: basename(path), text }]);
      const refused = REFUSED_BY_LINUXKIT_BUILD[path];
      if (refused) {
        expect(formatProblems(problems)).toContain(refused);
      } else if (verdict === 'accepted') {
        expect(hasErrors(problems) ? formatProblems(problems) : '').toBe('');
      } else {
        expect(hasErrors(problems)).toBe(true);
      }
    });
  }

  // LINUXKIT_GIT_DIR: a git directory of github:linuxkit/linuxkit (as refresh.sh takes). The
  // copies must be exactly v1.7.1's examples/ and test/cases/ specs, no more, no fewer.
  const gitDir = process.env.LINUXKIT_GIT_DIR;
  it.skipIf(!gitDir || !existsSync(gitDir))('the copies are v1.7.1 of LinuxKit\'s repository, file for file (needs LINUXKIT_GIT_DIR=path)', () => {
    const git = (...args: string[]) => {
      const r = spawnSync('git', ['--git-dir', gitDir!, ...args], { encoding: 'buffer', maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.toString()}`);
      return r.stdout;
    };
    const files = git('ls-tree', '-r', '--name-only', 'v1.7.1', 'examples', 'test/cases').toString().split('\n').filter((f) => /\.ya?ml$/.test(f)).sort();
    expect(verdicts.map((v) => v.path).sort()).toEqual(files);
    const changed = files.filter((f) => !git('show', `v1.7.1:${f}`).equals(readFileSync(join(root, f))));
    expect(changed).toEqual([]);
  }, 120_000);

  const linuxkit = process.env.LINUXKIT;
  it.skipIf(!linuxkit || !existsSync(linuxkit))('verdicts.txt is what linuxkit build --dry-run says (needs LINUXKIT=path)', () => {
    const wrong: string[] = [];
    for (const { verdict, path } of verdicts) {
      const r = spawnSync(linuxkit!, ['build', '--dry-run', basename(path)], { cwd: join(root, dirname(path)), encoding: 'utf8' });
      if ((r.status === 0 ? 'accepted' : 'rejected') !== verdict) wrong.push(`${path}: recorded ${verdict}, linuxkit exit ${r.status}`);
    }
    expect(wrong).toEqual([]);
  }, 300_000);
});
