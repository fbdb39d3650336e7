// Build rows → the API's boot check shape: the current report and rows from before verdicts.
import { describe, expect, it } from 'vitest';
import { buildReport, consoleFileName } from '@oscompose/bootcheck/report';
import { presentBootCheck, presentDetail } from './present';

const row = (bootCheck: unknown, extra: Record<string, unknown> = {}): any =>
  ({
    id: 'b1', teamId: 't', compositionVersionId: null, specText: 'x', name: null, resolvedSpec: null, specHash: 'h', cacheKey: null,
    formats: '["kernel+initrd","tar"]', arch: 'amd64', status: 'failed', priority: 0, attempts: 1, queuedAt: new Date(0), startedAt: null,
    finishedAt: null, requesterId: null, requester: null, error: null, bootCheck: bootCheck === null ? null : JSON.stringify(bootCheck),
    bootExpectations: JSON.stringify({ expect: ['hello'] }), bootVerdict: null, cachedFromId: null, pinned: false, workerId: null, updatedAt: new Date(0), ...extra,
  });

const artifact = (name: string, format: string) => ({ id: name, buildId: 'b1', format, name, size: 1n, sha256: 'a'.repeat(64), storageKey: `k/${name}`, bootCheck: null, createdAt: new Date(0) });

describe('presentBootCheck', () => {
  const report = buildReport({ expect: ['hello'] }, [
    {
      format: 'kernel+initrd', artifact: 'linuxkit-initrd.img', artifacts: ['linuxkit-kernel', 'linuxkit-initrd.img', 'linuxkit-cmdline'], verdict: 'failed',
      message: 'expectation not met', expectations: [{ kind: 'console', expectation: 'hello', met: false, detail: 'no console line matched' }], containers: [], durationMs: 9000,
      consoleName: consoleFileName('linuxkit-initrd.img'),
    },
    { format: 'tar', artifact: 'linuxkit.tar', artifacts: ['linuxkit.tar'], verdict: 'not checked', message: 'tar is not a bootable medium', expectations: [], containers: [], durationMs: null, consoleName: null },
  ]);

  it('links each console and marks the artifacts of a failed boot', () => {
    const b = presentBootCheck(row(report))!;
    expect(b).toMatchObject({ verdict: 'failed', ok: false, requested: { expect: ['hello'] }, expectations: [{ expectation: 'hello', met: false }] });
    expect(b.artifacts[0]).toMatchObject({ didNotBoot: true, console: '/api/v1/builds/b1/artifacts/linuxkit-initrd.img.console.txt' });
    expect(b.artifacts[1]).toMatchObject({ verdict: 'not checked', didNotBoot: false, console: null });
  });

  it('lists the console files apart from the artifacts, each artifact with its verdict', () => {
    const d = presentDetail({ ...row(report), artifacts: [artifact('linuxkit-initrd.img', 'kernel+initrd'), artifact('linuxkit.tar', 'tar'), artifact('linuxkit-initrd.img.console.txt', 'boot-console')] });
    expect(d.artifacts.map((a) => [a.name, a.didNotBoot, a.bootCheck?.verdict])).toEqual([
      ['linuxkit-initrd.img', true, 'failed'],
      ['linuxkit.tar', false, 'not checked'],
    ]);
    expect(d.bootCheck?.verdict).toBe('failed');
  });

  it('reads a report from before verdicts as verified or failed', () => {
    expect(presentBootCheck(row({ ok: true, containers: [{ phase: 'onboot', name: 'a', status: 'exited', exitCode: 0 }], formats: [{ format: 'kernel+initrd', ok: true }] }))).toMatchObject({
      verdict: 'verified', ok: true, containers: [{ name: 'a' }],
    });
    expect(presentBootCheck(row({ ok: false, error: 'init never started' }))).toMatchObject({ verdict: 'failed', message: 'init never started' });
    expect(presentBootCheck(row(null))).toBeNull();
  });
});
