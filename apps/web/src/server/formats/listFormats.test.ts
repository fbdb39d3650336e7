import { getFormat, listFormats as engineFormats, missingTools } from '@oscompose/engine';
import type { WorkerHeartbeat } from '@oscompose/queue';
import { describe, expect, it } from 'vitest';
import { formatsReport, listFormats } from './listFormats';

const all = engineFormats().map((n) => getFormat(n)!);
const worker = (id: string, formats?: string[], state: WorkerHeartbeat['state'] = 'idle'): WorkerHeartbeat => ({
  id, hostname: 'h', pid: 1, version: '0', startedAt: '', seenAt: '', concurrency: 1, activeJobs: 0, state, ...(formats ? { formats } : {}),
});
const xorrisoMissing = [{ tool: 'xorriso', debianPackage: 'xorriso', formats: ['iso-bios', 'iso-efi'] }];

describe('formatsReport', () => {
  it('offers the union of what live workers advertise', () => {
    const r = formatsReport(all, [worker('a', ['kernel+initrd']), worker('b', ['iso-bios'])], []);
    const byName = Object.fromEntries(r.map((f) => [f.name, f]));
    expect(byName['kernel+initrd']!.available).toBe(true);
    expect(byName['iso-bios']!.available).toBe(true);
    expect(byName['qcow2-bios']!.available).toBe(false);
    expect(byName['qcow2-bios']!.reason).toMatch(/no live worker can build qcow2-bios/);
    expect(r.map((f) => f.name)).toEqual(engineFormats());
  });

  it('ignores stopping workers', () => {
    const r = formatsReport(all, [worker('a', ['kernel+initrd']), worker('b', ['uki'], 'stopping')], []);
    expect(r.find((f) => f.name === 'uki')!.available).toBe(false);
  });

  it('falls back to the local tool check when no worker advertises, naming the missing tool', () => {
    const r = formatsReport(all, [worker('old')], xorrisoMissing as never);
    const iso = r.find((f) => f.name === 'iso-efi')!;
    expect(iso).toMatchObject({ available: false, missing: [{ tool: 'xorriso', debianPackage: 'xorriso' }] });
    expect(iso.reason).toContain('apt-get install xorriso');
    expect(r.find((f) => f.name === 'kernel+initrd')!.available).toBe(true);
  });

  it('on this host (tools installed per CI), the local check offers the disk formats', () => {
    const r = formatsReport(all, [], missingTools(all));
    expect(r.find((f) => f.name === 'iso-bios')!.available).toBe(true);
  });
});

describe('listFormats', () => {
  it('answers from the local tool check when the worker list fails (Redis down)', async () => {
    const r = await listFormats(async () => {
      throw new Error('connect ECONNREFUSED');
    });
    expect(r.find((f) => f.name === 'kernel+initrd')).toMatchObject({ available: true });
  });
});
