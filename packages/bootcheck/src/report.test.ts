import { describe, expect, it } from 'vitest';
import { buildReport, consoleFileName, type ArtifactBootReport } from './report';

const art = (format: string, verdict: ArtifactBootReport['verdict'], message = `${format} ${verdict}`): ArtifactBootReport => ({
  format,
  artifact: `linuxkit-${format}`,
  artifacts: [`linuxkit-${format}`],
  verdict,
  message,
  expectations: verdict === 'verified' ? [{ kind: 'console', expectation: 'hello', met: true, line: { n: 3, text: 'hello', atMs: 1200 }, atMs: 1200 }] : [],
  containers: [],
  durationMs: 1000,
  consoleName: verdict === 'not checked' ? null : consoleFileName(`linuxkit-${format}`),
});

describe('buildReport', () => {
  it('takes the worst checked verdict, naming its format when several were booted', () => {
    const r = buildReport({ expect: ['hello'] }, [art('kernel+initrd', 'verified'), art('iso-efi', 'failed', 'the kernel panicked'), art('tar', 'not checked')]);
    expect(r.verdict).toBe('failed');
    expect(r.message).toBe('iso-efi: the kernel panicked');
    expect(r.requested).toEqual({ expect: ['hello'] });
  });

  it('ignores formats that were not booted', () => {
    const r = buildReport(null, [art('tar', 'not checked', 'tar is not bootable'), art('kernel+initrd', 'booted', 'init took over')]);
    expect(r.verdict).toBe('booted');
    expect(r.message).toBe('init took over');
  });

  it('is not checked, with the reason, when nothing was booted', () => {
    expect(buildReport(null, [art('tar', 'not checked', 'tar is not a bootable medium')])).toMatchObject({ verdict: 'not checked', message: 'not checked: tar is not a bootable medium' });
    expect(buildReport(null, [], 'no QEMU on the worker')).toMatchObject({ verdict: 'not checked', message: 'not checked: no QEMU on the worker', artifacts: [] });
  });

  it('reports the deciding artifact\'s expectations', () => {
    const r = buildReport({ expect: ['hello'] }, [art('kernel+initrd', 'verified')]);
    expect(r.expectations).toEqual([expect.objectContaining({ expectation: 'hello', met: true, line: { n: 3, text: 'hello', atMs: 1200 } })]);
  });
});
