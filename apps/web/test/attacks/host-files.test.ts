// Attacks on the worker's files: a spec naming a host file (absolute, ~/, ../, through a symlink)
// is refused where it is submitted (400 invalid_spec on the line, saying to use contents), and a
// build that skips the web check — a row and a job written straight into the database and the
// queue, as a compromised web tier would — fails in the worker at once, with nothing of the
// secret in any artifact, event or log line.
import { mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '@oscompose/worker/testing';
import { plantSecret, startBed, type Bed } from './bed';

let bed: Bed;
let secret: { file: string; marker: string };
let homeSecret: { file: string; marker: string };
let link: string;
let shadowLine: string | undefined;

/** A spec whose line 10 (col 13) names a host file. */
function specWith(source: string, r = bed.refs): string {
  return [
    'kernel:',
    `  image: ${r.kernel}`,
    '  cmdline: console=ttyS0',
    'init:',
    `  - ${r.init}`,
    'files:',
    '  - path: etc/issue',
    '    contents: hello',
    '  - path: etc/stolen',
    `    source: ${source}`,
    '',
  ].join('\n');
}

beforeAll(async () => {
  // The worker's HOME holds a secret too, for `~/`.
  const home = path.join(process.env.TMPDIR ?? '/tmp', `oscompose-attack-home-${process.pid}`);
  homeSecret = await plantSecret(home, '.oscompose-secret');
  bed = await startBed({ workerEnv: { HOME: home } });
  // A fake data/auth-secret with a random marker, and a symlink to it in a "spec directory".
  secret = await plantSecret(path.join(bed.p.dir, 'host'));
  const specDir = path.join(bed.p.dir, 'specdir');
  await mkdir(specDir, { recursive: true });
  link = path.join(specDir, 'link');
  await symlink(secret.file, link);
  shadowLine = (await readFile('/etc/shadow', 'utf8').catch(() => '')).split('\n')[0] || undefined;
}, 300_000);

afterAll(async () => {
  await bed?.close();
});

const ATTACKS: { name: string; source: () => string; marker: () => string }[] = [
  { name: 'an absolute path (the fake data/auth-secret)', source: () => secret.file, marker: () => secret.marker },
  // Its first line (root's entry) when the test can read it, as the worker could.
  { name: '/etc/shadow', source: () => '/etc/shadow', marker: () => shadowLine ?? secret.marker },
  { name: '~/ (the worker\'s home)', source: () => '~/.oscompose-secret', marker: () => homeSecret.marker },
  // Relative sources resolve against the worker's working directory (the repository).
  { name: '../ out of the working directory', source: () => path.relative(REPO, secret.file), marker: () => secret.marker },
  { name: 'a symlink in the spec\'s directory', source: () => path.relative(REPO, link), marker: () => secret.marker },
  { name: 'a symlink by absolute path', source: () => link, marker: () => secret.marker },
];

describe('host files: refused at submission, on the line, with the contents hint', () => {
  for (const attack of ATTACKS) {
    it(`POST /api/v1/builds with source: ${attack.name} → 400 invalid_spec, nothing queued`, async () => {
      const before = await bed.p.testDb.db.build.count();
      const res = await bed.http('POST', '/api/v1/builds', { spec: specWith(attack.source()), formats: ['kernel+initrd'] });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_spec');
      expect(res.body.error.message).toMatch(/line 10: .*`contents` instead/);
      expect(res.body.error.problems).toContainEqual(expect.objectContaining({ line: 10, col: 13, path: 'files.1.source', severity: 'error', message: expect.stringMatching(/build server's disk.*`contents` instead/) }));
      expect(JSON.stringify(res.body)).not.toContain(attack.marker());
      expect(await bed.p.testDb.db.build.count()).toBe(before);
    });
  }

  it('the same problem in POST /api/v1/specs/validate and the plan (where the composer shows it)', async () => {
    const spec = specWith(secret.file);
    const validate = await bed.http('POST', '/api/v1/specs/validate', { spec });
    expect(validate.status).toBe(200);
    expect(validate.body.problems).toContainEqual(expect.objectContaining({ line: 10, col: 13, severity: 'error', message: expect.stringContaining('`contents` instead') }));
    const plan = await bed.http('POST', '/api/v1/specs/plan', { spec, formats: ['kernel+initrd'] });
    expect(plan.status).toBe(200);
    expect(plan.body.problems).toContainEqual(expect.objectContaining({ line: 10, col: 13, severity: 'error', message: expect.stringContaining('`contents` instead') }));
    expect(JSON.stringify([validate.body, plan.body])).not.toContain(secret.marker);
  });

  it('building a saved composition that reads a host file → 400 invalid_spec on its line', async () => {
    const db = bed.p.testDb.db;
    const comp = await db.composition.create({ data: { teamId: bed.teamId, name: `steal-${Date.now()}`, latestVersion: 1, versions: { create: { version: 1, specText: specWith(secret.file) } } } });
    const res = await bed.http('POST', '/api/v1/builds', { compositionId: comp.id, formats: ['kernel+initrd'] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_spec');
    expect(res.body.error.problems).toContainEqual(expect.objectContaining({ line: 10, path: 'files.1.source' }));
  });

  it('rebuilding an old build whose spec reads a host file → 400 invalid_spec', async () => {
    const id = await bed.p.testDb.db.build
      .create({ data: { teamId: bed.teamId, specText: specWith(secret.file), specHash: 'x', formats: '["tar"]', status: 'failed', finishedAt: new Date() } })
      .then((b) => b.id);
    const res = await bed.http('POST', `/api/v1/builds/${id}/rebuild`, {});
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_spec');
  });
});

describe('host files: the worker refuses them itself (the web check bypassed)', () => {
  it('control: the same spec with contents builds, so the refusals below are about source', async () => {
    const id = await bed.enqueueDirectly(specWith('x').replace('    source: x', '    contents: harmless'));
    const b = await bed.waitFinal(id);
    expect(b.status, b.error ?? '').toBe('succeeded');
    expect(b.artifacts.length).toBeGreaterThan(0);
  });

  for (const attack of ATTACKS) {
    it(`source: ${attack.name} → failed at once, not retried, no artifact or log line holds the secret`, async () => {
      const id = await bed.enqueueDirectly(specWith(attack.source()));
      const b = await bed.waitFinal(id);
      expect(b.status).toBe('failed');
      expect(b.attempts).toBe(1);
      expect(b.error).toMatch(/10:13: `source: .*` would read a file from the build server's disk.*`contents` instead/);
      expect(b.artifacts).toEqual([]);
      const seen = await bed.evidence(id);
      expect(seen).not.toContain(attack.marker());
    });
  }
});
