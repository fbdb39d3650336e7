// /builds/compare?a=&b=: boot verdicts, artifact size diff, size per initramfs section, package changes (SBOMs) and spec diff (resolved specs) of two builds.
'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { BuildDetail } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';
import { DiffView } from '../diff/DiffView';
import { PackageChanges } from './PackageChanges';
import { Card } from '../ui/Card';
import { cx } from '../ui/classNames';
import { ErrorState, Loading } from '../ui/States';
import { formatBytes } from '../ui/format';
import { VerdictBadge } from './BootCheckView';
import { SectionSizeDiff, signedBytes } from './SectionSizeDiff';

export function artifactSizeRows(a: BuildDetail, b: BuildDetail) {
  const names = [...new Set([...a.artifacts.map((x) => x.format), ...b.artifacts.map((x) => x.format)])].sort();
  return names.map((format) => {
    const left = a.artifacts.filter((x) => x.format === format).reduce((s, x) => s + x.size, 0) || null;
    const right = b.artifacts.filter((x) => x.format === format).reduce((s, x) => s + x.size, 0) || null;
    return { format, left, right, delta: left !== null && right !== null ? right - left : null };
  });
}

export function BuildCompare({ a, b }: { a: string; b: string }) {
  const [builds, setBuilds] = useState<[BuildDetail, BuildDetail] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([fetchJson<BuildDetail>(`/api/v1/builds/${a}`), fetchJson<BuildDetail>(`/api/v1/builds/${b}`)]).then(setBuilds, (e: Error) => setError(e.message));
  }, [a, b]);
  if (error) return <main className="mx-auto max-w-5xl p-6"><ErrorState message={error} /></main>;
  if (!builds) return <main className="mx-auto max-w-5xl p-6"><Loading /></main>;
  const [left, right] = builds;
  return (
    <main className="mx-auto w-full max-w-6xl space-y-4 p-6">
      <nav className="text-sm text-muted-foreground"><Link href="/builds" className="hover:underline">Builds</Link> / compare</nav>
      <h1 className="text-xl font-semibold">
        <Link className="hover:underline" href={`/builds/${left.id}`}>{left.name}</Link> {left.bootCheck ? <VerdictBadge verdict={left.bootCheck.verdict} className="align-middle" /> : null}{' '}
        <span className="text-muted-foreground">vs</span> <Link className="hover:underline" href={`/builds/${right.id}`}>{right.name}</Link> {right.bootCheck ? <VerdictBadge verdict={right.bootCheck.verdict} className="align-middle" /> : null}
      </h1>
      <Card title="Artifact sizes">
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-muted-foreground"><tr><th className="py-1">Format</th><th>{left.name}</th><th>{right.name}</th><th>Change</th></tr></thead>
          <tbody>
            {artifactSizeRows(left, right).map((r) => (
              <tr key={r.format} className="border-t">
                <td className="py-1.5">{r.format}</td>
                <td className="tabular-nums">{formatBytes(r.left)}</td>
                <td className="tabular-nums">{formatBytes(r.right)}</td>
                <td className={cx('tabular-nums', (r.delta ?? 0) > 0 && 'text-destructive', (r.delta ?? 0) < 0 && 'text-success')}>
                  {r.delta === null ? '—' : signedBytes(r.delta)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <SectionSizeDiff left={left} right={right} />
      <PackageChanges left={left} right={right} />
      <Card title="Spec (resolved)">
        <DiffView before={left.resolvedSpec ?? left.specText} after={right.resolvedSpec ?? right.specText} labels={[left.name, right.name]} />
      </Card>
    </main>
  );
}
