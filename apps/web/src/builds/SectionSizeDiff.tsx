// The compare page's size difference per initramfs section between two builds (from each build's
// size breakdown): a row per section with a bar for each build, added and removed sections marked.
'use client';
import { useEffect, useState } from 'react';
import type { BuildContents } from '@oscompose/engine';
import type { BuildDetail } from '../api-client/types';
import { fetchJson } from '../api-client/fetchJson';
import { Card } from '../ui/Card';
import { cx } from '../ui/classNames';
import { ErrorState, Loading } from '../ui/States';
import { formatBytes } from '../ui/format';
import { sectionDeltas } from './sizeBreakdown';

export function signedBytes(delta: number): string {
  return `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${formatBytes(Math.abs(delta))}`;
}

export function SectionSizeDiff({ left, right }: { left: BuildDetail; right: BuildDetail }) {
  const [pair, setPair] = useState<[BuildContents, BuildContents] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ua = left.contents?.url;
  const ub = right.contents?.url;
  useEffect(() => {
    if (!ua || !ub) return;
    Promise.all([fetchJson<BuildContents>(ua), fetchJson<BuildContents>(ub)]).then(setPair, (e: Error) => setError(e.message));
  }, [ua, ub]);
  const missing = [left, right].filter((b) => !b.contents).map((b) => b.name);
  return (
    <Card title="Size by section (initramfs, uncompressed)">
      {missing.length ? (
        <p className="text-sm text-muted-foreground">No size breakdown for {missing.join(' and ')}: built before builds carried one (rebuild fresh to get one).</p>
      ) : error ? (
        <ErrorState message={error} />
      ) : !pair ? (
        <Loading label="Loading the size breakdowns…" />
      ) : (
        <Rows a={pair[0]} b={pair[1]} names={[left.name, right.name]} />
      )}
    </Card>
  );
}

function Rows({ a, b, names }: { a: BuildContents; b: BuildContents; names: [string, string] }) {
  const rows = sectionDeltas(a, b);
  const max = Math.max(1, ...rows.map((r) => Math.max(r.left ?? 0, r.right ?? 0)));
  const total = b.initramfs.bytes - a.initramfs.bytes;
  return (
    <table className="w-full text-left text-sm" data-testid="section-size-diff">
      <thead className="text-xs text-muted-foreground">
        <tr><th className="py-1">Section</th><th className="w-1/3" aria-label="Bars" /><th className="text-right">{names[0]}</th><th className="text-right">{names[1]}</th><th className="text-right">Change</th></tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label} className="border-t" data-section={r.label}>
            <td className="py-1.5 font-mono text-xs">
              {r.label}
              {r.left === null ? <span className="ml-2 rounded bg-accent px-1 font-sans text-[10px]">added</span> : r.right === null ? <span className="ml-2 rounded bg-accent px-1 font-sans text-[10px]">removed</span> : null}
            </td>
            <td aria-hidden>
              <div className="h-1.5 rounded-sm bg-muted-foreground/50" style={{ width: `${(100 * (r.left ?? 0)) / max}%` }} />
              <div className="mt-0.5 h-1.5 rounded-sm bg-primary" style={{ width: `${(100 * (r.right ?? 0)) / max}%` }} />
            </td>
            <td className="text-right tabular-nums text-xs">{formatBytes(r.left)}</td>
            <td className="text-right tabular-nums text-xs">{formatBytes(r.right)}</td>
            <td className={cx('text-right tabular-nums text-xs', change(r) > 0 && 'text-destructive', change(r) < 0 && 'text-success')}>{signedBytes(change(r))}</td>
          </tr>
        ))}
        <tr className="border-t font-medium">
          <td className="py-1.5 text-xs">initramfs</td>
          <td />
          <td className="text-right tabular-nums text-xs">{formatBytes(a.initramfs.bytes)}</td>
          <td className="text-right tabular-nums text-xs">{formatBytes(b.initramfs.bytes)}</td>
          <td className={cx('text-right tabular-nums text-xs', total > 0 && 'text-destructive', total < 0 && 'text-success')} data-testid="initramfs-change">{signedBytes(total)}</td>
        </tr>
      </tbody>
    </table>
  );
}

const change = (r: { left: number | null; right: number | null }) => (r.right ?? 0) - (r.left ?? 0);
